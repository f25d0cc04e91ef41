package dev.aspen.mesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import dev.aspen.tickets.TicketPeer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NodeConfigLoaderTest {
    @TempDir
    Path dir;

    static ClusterTicket ticketFor(String cookie) {
        var peer = new TicketPeer(NodeId.ofBytes(new byte[32]), List.of(SocketAddresses.parse("127.0.0.1:7000")));
        return ClusterTicket.of(Cookie.of(cookie).clusterId(), List.of(peer));
    }

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    private static List<InetSocketAddress> addresses(String... texts) {
        return Stream.of(texts).map(SocketAddresses::parse).toList();
    }

    @Test
    void defaultsAreTheDocumentedOnes() throws Exception {
        NodeConfig config = NodeConfigLoader.load(Map.of(), Map.of());

        assertThat(config)
                .isEqualTo(new NodeConfig(
                        Path.of("aspen-data"),
                        Optional.empty(),
                        Optional.empty(),
                        List.of(),
                        ip("127.0.0.1"),
                        OptionalInt.empty(),
                        OptionalInt.empty(),
                        OptionalInt.empty(),
                        1,
                        3,
                        true,
                        ip("127.0.0.1"),
                        Optional.empty(),
                        NodeConfig.Timing.LAN,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(30),
                        95,
                        false));
    }

    /**
     * One setting of each kind, with a value per layer; each layer must win over the ones below it.
     */
    record Precedence(
            String kind,
            Function<NodeConfig, Object> read,
            Object byDefault,
            String file,
            Object fromFile,
            String env,
            Object fromEnv,
            String flag,
            Object fromFlag) {
        @Override
        public String toString() {
            return kind;
        }
    }

    static Stream<Precedence> precedence() throws Exception {
        return Stream.of(
                new Precedence(
                        "path",
                        NodeConfig::dataDir,
                        Path.of("aspen-data"),
                        "toml:data_dir = \"from-file\"",
                        Path.of("from-file"),
                        "ASPEN_DATA_DIR=from-env",
                        Path.of("from-env"),
                        "--data-dir=from-flag",
                        Path.of("from-flag")),
                new Precedence(
                        "optional string",
                        NodeConfig::cookie,
                        Optional.empty(),
                        "toml:cookie = \"file cookie\"",
                        Optional.of("file cookie"),
                        "ASPEN_COOKIE=env cookie",
                        Optional.of("env cookie"),
                        "--cookie=flag cookie",
                        Optional.of("flag cookie")),
                new Precedence(
                        "int", NodeConfig::voters, 3, "toml:voters = 5", 5, "ASPEN_VOTERS=7", 7, "--voters=1", 1),
                new Precedence(
                        "optional int",
                        NodeConfig::quicPort,
                        OptionalInt.empty(),
                        "toml:quic_port = 7000",
                        OptionalInt.of(7000),
                        "ASPEN_QUIC_PORT=7001",
                        OptionalInt.of(7001),
                        "--quic-port=0",
                        OptionalInt.of(0)),
                new Precedence(
                        "bool",
                        NodeConfig::lan,
                        true,
                        "toml:lan = false",
                        false,
                        "ASPEN_LAN=TRUE",
                        true,
                        "--lan=false",
                        false),
                new Precedence(
                        "duration",
                        NodeConfig::deadVoterGrace,
                        Duration.ofSeconds(30),
                        "toml:dead_voter_grace = \"40s\"",
                        Duration.ofSeconds(40),
                        "ASPEN_DEAD_VOTER_GRACE=1m",
                        Duration.ofMinutes(1),
                        "--dead-voter-grace=2500ms",
                        Duration.ofMillis(2500)),
                new Precedence(
                        "list",
                        NodeConfig::peers,
                        List.of(),
                        "toml:peers = [\"10.0.0.1:7000\", \"10.0.0.2:7000\"]",
                        addresses("10.0.0.1:7000", "10.0.0.2:7000"),
                        "ASPEN_PEERS=10.0.0.3:7000, [::1]:7001",
                        addresses("10.0.0.3:7000", "[::1]:7001"),
                        "--peers=10.0.0.4:7002",
                        addresses("10.0.0.4:7002")),
                new Precedence(
                        "ip",
                        NodeConfig::bind,
                        ip("127.0.0.1"),
                        "toml:bind = \"127.0.0.2\"",
                        ip("127.0.0.2"),
                        "ASPEN_BIND=::1",
                        ip("::1"),
                        "--bind=[::1]",
                        ip("::1")),
                new Precedence(
                        "enum",
                        NodeConfig::timing,
                        NodeConfig.Timing.LAN,
                        "toml:timing = \"wan\"",
                        NodeConfig.Timing.WAN,
                        "ASPEN_TIMING=lan",
                        NodeConfig.Timing.LAN,
                        "--timing=WAN",
                        NodeConfig.Timing.WAN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("precedence")
    void eachLayerOverridesTheOnesBelow(Precedence p) {
        assertThat(p.read().apply(Layers.of(dir).load())).isEqualTo(p.byDefault());
        assertThat(p.read().apply(Layers.of(dir, p.file()).load())).isEqualTo(p.fromFile());
        assertThat(p.read().apply(Layers.of(dir, p.file(), p.env()).load())).isEqualTo(p.fromEnv());
        assertThat(p.read().apply(Layers.of(dir, p.file(), p.env(), p.flag()).load()))
                .isEqualTo(p.fromFlag());
        assertThat(p.read().apply(Layers.of(dir, p.flag()).load()))
                .as("a flag also overrides the default without the other layers")
                .isEqualTo(p.fromFlag());
    }

    @Test
    void everySettingIsReadFromItsEnvironmentVariable() {
        var layers = Layers.of(
                dir,
                "ASPEN_DATA_DIR=d",
                "ASPEN_COOKIE=c",
                "ASPEN_TICKET=" + ticketFor("c"),
                "ASPEN_PEERS=10.0.0.1:1",
                "ASPEN_BIND=127.0.0.9",
                "ASPEN_QUIC_PORT=1",
                "ASPEN_GOSSIP_PORT=2",
                "ASPEN_HTTP_PORT=3",
                "ASPEN_BOOTSTRAP_EXPECT=5",
                "ASPEN_VOTERS=5",
                "ASPEN_LAN=false",
                "ASPEN_HTTP_BIND=10.1.1.1",
                "ASPEN_HTTP_TOKEN=0123456789abcdef",
                "ASPEN_TIMING=wan",
                "ASPEN_HEARTBEAT_PERIOD=2s",
                "ASPEN_ELECTION_TIMEOUT=5s",
                "ASPEN_DEAD_VOTER_GRACE=9s",
                "ASPEN_DISK_FULL_PERCENT=80",
                "ASPEN_FAULT_INJECTION=true");
        assertThat(layers.env().keySet())
                .as("the names are ASPEN_ and the setting name in upper case with _ for -")
                .containsExactlyInAnyOrderElementsOf(Setting.ALL.stream()
                        .filter(s -> s != Setting.CONFIG)
                        .map(Setting::env)
                        .toList());

        NodeConfig config = layers.load();

        assertThat(config.dataDir()).isEqualTo(Path.of("d"));
        assertThat(config.cookie()).contains("c");
        assertThat(config.ticket()).contains(ticketFor("c"));
        assertThat(config.peers()).isEqualTo(addresses("10.0.0.1:1"));
        assertThat(config.bind().getHostAddress()).isEqualTo("127.0.0.9");
        assertThat(config.quicPort()).hasValue(1);
        assertThat(config.gossipPort()).hasValue(2);
        assertThat(config.httpPort()).hasValue(3);
        assertThat(config.bootstrapExpect()).isEqualTo(5);
        assertThat(config.voters()).isEqualTo(5);
        assertThat(config.lan()).isFalse();
        assertThat(config.httpBind().getHostAddress()).isEqualTo("10.1.1.1");
        assertThat(config.httpToken()).contains("0123456789abcdef");
        assertThat(config.timing()).isEqualTo(NodeConfig.Timing.WAN);
        assertThat(config.heartbeatPeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.electionTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.deadVoterGrace()).isEqualTo(Duration.ofSeconds(9));
        assertThat(config.diskFullPercent()).isEqualTo(80);
        assertThat(config.faultInjection()).isTrue();
    }

    @Test
    void namesFollowOneScheme() {
        assertThat(Setting.HTTP_TOKEN.flag()).isEqualTo("--http-token");
        assertThat(Setting.HTTP_TOKEN.env()).isEqualTo("ASPEN_HTTP_TOKEN");
        assertThat(Setting.HTTP_TOKEN.tomlKey()).contains("http_token");
        assertThat(Setting.CONFIG.env()).isEqualTo("ASPEN_CONFIG");
        assertThat(Setting.CONFIG.tomlKey())
                .as("a file cannot name another file")
                .isEmpty();
    }

    @Test
    void theFileCanBeNamedByTheEnvironmentAndTheFlagWins() throws Exception {
        Path envFile = Files.writeString(dir.resolve("env.toml"), "voters = 5\n");
        Path flagFile = Files.writeString(dir.resolve("flag.toml"), "voters = 7\n");

        assertThat(NodeConfigLoader.load(Map.of(), Map.of("ASPEN_CONFIG", envFile.toString()))
                        .voters())
                .isEqualTo(5);
        assertThat(NodeConfigLoader.load(
                                Map.of(Setting.CONFIG, flagFile.toString()), Map.of("ASPEN_CONFIG", envFile.toString()))
                        .voters())
                .isEqualTo(7);
    }

    @Test
    void bootstrapExpectDefaultsToOneOnlyWithoutTicketOrPeers() {
        assertThat(Layers.of(dir).load().bootstrapExpect()).isEqualTo(1);
        assertThat(Layers.of(dir, "--peers=10.0.0.1:7000").load().bootstrapExpect())
                .isZero();
        assertThat(Layers.of(dir, "ASPEN_TICKET=" + ticketFor("c")).load().bootstrapExpect())
                .isZero();
        assertThat(Layers.of(dir, "--peers=10.0.0.1:7000", "toml:bootstrap_expect = 3")
                        .load()
                        .bootstrapExpect())
                .isEqualTo(3);
    }

    @Test
    void anEmptyPeersValueClearsTheFilesPeers() {
        assertThat(Layers.of(dir, "toml:peers = [\"10.0.0.1:7000\"]", "ASPEN_PEERS=")
                        .load()
                        .peers())
                .isEmpty();
    }

    @Test
    void acceptsATicketOfTheCookiesClusterAndATokenForAPublicHttpAddress() {
        NodeConfig config = Layers.of(
                        dir,
                        "--cookie=shared",
                        "--ticket=" + ticketFor("shared"),
                        "--http-bind=0.0.0.0",
                        "ASPEN_HTTP_TOKEN=a-token-of-16-ch")
                .load();

        assertThat(config.ticket()).contains(ticketFor("shared"));
        assertThat(config.httpBind().isAnyLocalAddress()).isTrue();
    }

    @Test
    void durationsTakeMillisecondsSecondsAndMinutes() {
        assertThat(Kind.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Kind.duration("2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Kind.duration("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Kind.duration("0s")).isEqualTo(Duration.ZERO);
    }
}
