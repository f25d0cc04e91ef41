package dev.aspen.mesh.config;

import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.SocketAddresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A {@link NodeConfig} for a node embedded in a Java program, set fluently:
 *
 * <pre>{@code
 * NodeConfig config = NodeConfig.builder(Path.of("data")).cookie("s3cret").lan(false).build();
 * }</pre>
 *
 * Each method sets one {@link Setting} as if it were given as that setting's flag; {@link #build}
 * hands them to {@link NodeConfigLoader#load}, so defaults, validation and error messages are those
 * of {@code aspen node} (a bad value fails with {@code --voters 4 (flag): must be odd ...}). Unlike
 * {@code aspen node}, the process environment ({@code ASPEN_*}) and TOML files are not read. Not
 * thread-safe; {@link #build} may be called more than once.
 */
public final class NodeConfigBuilder {
    private final Map<Setting<?>, String> flags = new HashMap<>();

    NodeConfigBuilder(Path dataDir) {
        set(Setting.DATA_DIR, dataDir.toString());
    }

    /** {@link Setting#COOKIE}: the cluster secret. */
    public NodeConfigBuilder cookie(String cookie) {
        return set(Setting.COOKIE, cookie);
    }

    /** {@link Setting#TICKET}: join the cluster it names. */
    public NodeConfigBuilder ticket(ClusterTicket ticket) {
        return set(Setting.TICKET, ticket.toString());
    }

    /** {@link Setting#PEERS}: gossip addresses to join through. */
    public NodeConfigBuilder peers(List<InetSocketAddress> peers) {
        return set(Setting.PEERS, peers.stream().map(SocketAddresses::format).collect(Collectors.joining(",")));
    }

    /** {@link Setting#BIND}: the address QUIC and gossip serve on and advertise. */
    public NodeConfigBuilder bind(InetAddress bind) {
        return set(Setting.BIND, bind.getHostAddress());
    }

    /** {@link Setting#QUIC_PORT}; 0 picks a free one. */
    public NodeConfigBuilder quicPort(int port) {
        return set(Setting.QUIC_PORT, Integer.toString(port));
    }

    /** {@link Setting#GOSSIP_PORT}; 0 picks a free one. */
    public NodeConfigBuilder gossipPort(int port) {
        return set(Setting.GOSSIP_PORT, Integer.toString(port));
    }

    /** {@link Setting#HTTP_PORT}; 0 picks a free one. */
    public NodeConfigBuilder httpPort(int port) {
        return set(Setting.HTTP_PORT, Integer.toString(port));
    }

    /** {@link Setting#BOOTSTRAP_EXPECT}: form a new cluster once this many nodes are found. */
    public NodeConfigBuilder bootstrapExpect(int nodes) {
        return set(Setting.BOOTSTRAP_EXPECT, Integer.toString(nodes));
    }

    /** {@link Setting#VOTERS}: the voter count autopilot aims for. */
    public NodeConfigBuilder voters(int voters) {
        return set(Setting.VOTERS, Integer.toString(voters));
    }

    /** {@link Setting#LAN}: the LAN beacon on or off. */
    public NodeConfigBuilder lan(boolean on) {
        return set(Setting.LAN, Boolean.toString(on));
    }

    /** {@link Setting#HTTP_BIND}: the HTTP API's address. */
    public NodeConfigBuilder httpBind(InetAddress bind) {
        return set(Setting.HTTP_BIND, bind.getHostAddress());
    }

    /** {@link Setting#HTTP_TOKEN}: the bearer token the HTTP API requires. */
    public NodeConfigBuilder httpToken(String token) {
        return set(Setting.HTTP_TOKEN, token);
    }

    /** {@link Setting#TIMING}: the gossip failure-detection profile. */
    public NodeConfigBuilder timing(NodeConfig.Timing timing) {
        return set(Setting.TIMING, timing.name().toLowerCase(Locale.ROOT));
    }

    /** {@link Setting#HEARTBEAT_PERIOD}. */
    public NodeConfigBuilder heartbeatPeriod(Duration period) {
        return set(Setting.HEARTBEAT_PERIOD, text(period));
    }

    /** {@link Setting#ELECTION_TIMEOUT}. */
    public NodeConfigBuilder electionTimeout(Duration timeout) {
        return set(Setting.ELECTION_TIMEOUT, text(timeout));
    }

    /** {@link Setting#DEAD_VOTER_GRACE}. */
    public NodeConfigBuilder deadVoterGrace(Duration grace) {
        return set(Setting.DEAD_VOTER_GRACE, text(grace));
    }

    /** {@link Setting#DISK_FULL_PERCENT}. */
    public NodeConfigBuilder diskFullPercent(int percent) {
        return set(Setting.DISK_FULL_PERCENT, Integer.toString(percent));
    }

    /** {@link Setting#FAULT_INJECTION}: a QUIC fault switch for tests ({@code AspenNode.linkFaults()}). */
    public NodeConfigBuilder faultInjection(boolean on) {
        return set(Setting.FAULT_INJECTION, Boolean.toString(on));
    }

    /**
     * Validates the settings and applies the defaults of the rest.
     *
     * @throws dev.aspen.tickets.FormatException naming the first bad setting as its flag
     */
    public NodeConfig build() {
        return NodeConfigLoader.load(Map.copyOf(flags), Map.of());
    }

    private NodeConfigBuilder set(Setting<?> setting, String text) {
        flags.put(setting, text);
        return this;
    }

    /** A duration as a setting reads it: whole seconds as {@code 2s}, anything else in {@code ms}. */
    private static String text(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
