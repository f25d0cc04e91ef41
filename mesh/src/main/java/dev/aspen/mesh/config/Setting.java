package dev.aspen.mesh.config;

import dev.aspen.tickets.ClusterTicket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One setting of {@code aspen node}. {@link #ALL} is the table every other view is made from: the
 * {@code aspen node} flags and their help, the environment variables and TOML keys {@link
 * NodeConfigLoader} reads, its validation messages, and the reference in {@code
 * docs/configuration.md}. A setting named {@code data-dir} is the flag {@code --data-dir}, the
 * environment variable {@code ASPEN_DATA_DIR} and the TOML key {@code data_dir}.
 *
 * @param <T> the parsed value's type
 */
public final class Setting<T> {
    private static final int MAX_NODES = 7;
    private static final String PORT_RANGE = "0 to 65535";

    /** The TOML file to read; a flag and an environment variable only, not a key of the file. */
    public static final Setting<Path> CONFIG = optional(
            "config",
            Kind.PATH,
            "none",
            "TOML file of settings, keyed by setting name with _ for - (data_dir = \"/var/lib/aspen\"). Environment"
                    + " variables and flags override it.",
            null);

    public static final Setting<Path> DATA_DIR = withDefault(
            "data-dir",
            Kind.PATH,
            "aspen-data",
            "Where the node keeps its identity, Raft log, state and cookie.",
            null);
    public static final Setting<String> COOKIE = optional(
            "cookie",
            Kind.COOKIE,
            "the one stored in the data dir, else a new random one",
            "The cluster secret; every node of a cluster has the same one.",
            new Rule<>("non-blank, without leading or trailing whitespace", c -> c.strip()
                    .equals(c)));
    public static final Setting<ClusterTicket> TICKET = optional(
            "ticket",
            Kind.TICKET,
            "none",
            "Join the cluster this ticket names; its addresses are gossip seeds. A join ticket"
                    + " (`aspen cluster ticket --join`) needs no cookie: the node fetches the cluster key with it.",
            null);
    public static final Setting<List<InetSocketAddress>> PEERS = withDefault(
            "peers",
            Kind.PEERS,
            "",
            "Gossip addresses to join through, comma-separated (a TOML array of strings in the file).",
            null);
    public static final Setting<InetAddress> BIND = withDefault(
            "bind",
            Kind.IP,
            "127.0.0.1",
            "The address QUIC and gossip serve on and advertise (tickets carry it).",
            new Rule<>(
                    "a specific unicast address, not a wildcard (0.0.0.0, ::) or multicast one",
                    ip -> !ip.isAnyLocalAddress() && !ip.isMulticastAddress()));
    public static final Setting<Integer> QUIC_PORT = optional(
            "quic-port",
            Kind.PORT,
            "the previous run's, else a free one",
            "UDP port for QUIC; 0 picks a free one.",
            port());
    public static final Setting<Integer> GOSSIP_PORT = optional(
            "gossip-port",
            Kind.PORT,
            "the previous run's, else the QUIC port number when free",
            "TCP port for gossip; 0 picks a free one.",
            port());
    public static final Setting<Integer> HTTP_PORT = optional(
            "http-port",
            Kind.PORT,
            "the previous run's, else a free one",
            "TCP port of the HTTP API; 0 picks a free one.",
            port());
    public static final Setting<Integer> BOOTSTRAP_EXPECT = optional(
            "bootstrap-expect",
            Kind.INT,
            "1 when neither ticket nor peers is set, else 0",
            "On a first start, form a new cluster once this many nodes with this cookie (this one included)"
                    + " are discovered and no existing cluster is found; 0 = never form one, only join.",
            new Rule<>("0 to " + MAX_NODES, n -> n >= 0 && n <= MAX_NODES));
    public static final Setting<Integer> VOTERS = withDefault(
            "voters",
            Kind.INT,
            "3",
            "The number of voters autopilot aims for.",
            new Rule<>("odd (1, 3, 5 or 7)", n -> n >= 1 && n <= MAX_NODES && n % 2 == 1));
    public static final Setting<Boolean> LAN = withDefault(
            "lan",
            Kind.BOOL,
            "true",
            "The LAN beacon: find and be found by nodes with the same cookie by multicast on the bind"
                    + " address's interface. --no-lan turns it off.",
            null);
    public static final Setting<InetAddress> HTTP_BIND = withDefault(
            "http-bind",
            Kind.IP,
            "127.0.0.1",
            "The address the HTTP API listens on; any other than a loopback address requires http-token.",
            new Rule<>("a unicast or wildcard address, not a multicast one", ip -> !ip.isMulticastAddress()));
    public static final Setting<String> HTTP_TOKEN = optional(
            "http-token",
            Kind.SECRET_TEXT,
            "none",
            "Bearer token the HTTP API requires (Authorization: Bearer <token>).",
            new Rule<>("16 to 1024 characters", t -> t.length() >= 16 && t.length() <= 1024));
    public static final Setting<NodeConfig.Timing> TIMING = withDefault(
            "timing",
            Kind.TIMING,
            "lan",
            "Gossip failure-detection profile: lan for quick detection on a local network, wan for links"
                    + " with more latency and loss.",
            null);
    public static final Setting<Duration> HEARTBEAT_PERIOD = withDefault(
            "heartbeat-period",
            Kind.DURATION_KIND,
            "1s",
            "How often the Raft leader sends heartbeats.",
            wholeSeconds(1, 60, "60s"));
    public static final Setting<Duration> ELECTION_TIMEOUT = withDefault(
            "election-timeout",
            Kind.DURATION_KIND,
            "2s",
            "How long a follower waits for the leader before starting an election; longer than" + " heartbeat-period.",
            wholeSeconds(2, 600, "10m"));
    public static final Setting<Duration> DEAD_VOTER_GRACE = withDefault(
            "dead-voter-grace",
            Kind.DURATION_KIND,
            "30s",
            "How long a voter must be reported dead before autopilot replaces it.",
            new Rule<>(
                    "from 1s to 1440m (a day)",
                    d -> d.compareTo(Duration.ofSeconds(1)) >= 0 && d.compareTo(Duration.ofDays(1)) <= 0));
    public static final Setting<Integer> DISK_FULL_PERCENT = withDefault(
            "disk-full-percent",
            Kind.INT,
            "95",
            "Writes are refused with unavailable while the data dir's file system is fuller than this percentage.",
            new Rule<>("50 to 99", n -> n >= 50 && n <= 99));
    public static final Setting<Boolean> FAULT_INJECTION = withDefault(
            "fault-injection",
            Kind.BOOL,
            "false",
            "For tests only: lets GET/POST/DELETE /v1/debug/faults (and AspenNode.linkFaults() when"
                    + " embedded) cut this node's QUIC links to chosen addresses by dropping their datagrams."
                    + " Gossip is not affected.",
            null);

    /** Every setting, in the order help and docs list them. */
    public static final List<Setting<?>> ALL = List.of(
            CONFIG,
            DATA_DIR,
            COOKIE,
            TICKET,
            PEERS,
            BIND,
            QUIC_PORT,
            GOSSIP_PORT,
            HTTP_PORT,
            BOOTSTRAP_EXPECT,
            VOTERS,
            LAN,
            HTTP_BIND,
            HTTP_TOKEN,
            TIMING,
            HEARTBEAT_PERIOD,
            ELECTION_TIMEOUT,
            DEAD_VOTER_GRACE,
            DISK_FULL_PERCENT,
            FAULT_INJECTION);

    /** A constraint on a parsed value; a value it rejects gets the message "must be {@code doc}". */
    record Rule<T>(String doc, Predicate<T> accepts) {}

    private final String name;
    private final Kind<T> kind;
    private final Optional<String> defaultText;
    private final String defaultDoc;
    private final String description;
    private final Optional<Rule<T>> rule;

    private Setting(
            String name,
            Kind<T> kind,
            Optional<String> defaultText,
            String defaultDoc,
            String description,
            Optional<Rule<T>> rule) {
        this.name = name;
        this.kind = kind;
        this.defaultText = defaultText;
        this.defaultDoc = defaultDoc;
        this.description = description;
        this.rule = rule;
    }

    private static <T> Setting<T> withDefault(
            String name, Kind<T> kind, String defaultText, String description, Rule<T> rule) {
        String doc = defaultText.isEmpty() ? "none" : defaultText;
        return new Setting<>(name, kind, Optional.of(defaultText), doc, description, Optional.ofNullable(rule));
    }

    private static <T> Setting<T> optional(
            String name, Kind<T> kind, String whenAbsent, String description, Rule<T> rule) {
        return new Setting<>(name, kind, Optional.empty(), whenAbsent, description, Optional.ofNullable(rule));
    }

    private static Rule<Integer> port() {
        return new Rule<>(PORT_RANGE, p -> p >= 0 && p <= 65535);
    }

    private static Rule<Duration> wholeSeconds(int min, int max, String maxText) {
        return new Rule<>(
                "a whole number of seconds from " + min + "s to " + maxText,
                d -> d.toMillis() % 1000 == 0 && d.getSeconds() >= min && d.getSeconds() <= max);
    }

    /** The setting's name, as in {@code data-dir}. */
    public String name() {
        return name;
    }

    /** The flag: {@code --data-dir}. */
    public String flag() {
        return "--" + name;
    }

    /** The environment variable: {@code ASPEN_DATA_DIR}. */
    public String env() {
        return "ASPEN_" + name.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** The key in the TOML file: {@code data_dir}; empty for {@link #CONFIG}, which no file holds. */
    public Optional<String> tomlKey() {
        return this == CONFIG ? Optional.empty() : Optional.of(name.replace('-', '_'));
    }

    /** Whether this is an on/off switch: a flag without argument, negatable as {@code --no-lan}. */
    public boolean isSwitch() {
        return kind == Kind.BOOL;
    }

    /** The flag argument's placeholder in {@code --help}, such as {@code <duration>}; empty for a switch. */
    public String paramLabel() {
        return kind.paramLabel();
    }

    /** The description with its constraint, as help and docs show it. */
    public String explanation() {
        return description + rule.map(r -> " Must be " + r.doc() + ".").orElse("");
    }

    /** The default, or what being unset means (as in "the previous run's, else a free one"). */
    public String defaultDescription() {
        return defaultDoc;
    }

    Kind<T> kind() {
        return kind;
    }

    Optional<String> defaultText() {
        return defaultText;
    }

    Optional<Rule<T>> rule() {
        return rule;
    }

    @Override
    public String toString() {
        return name;
    }
}
