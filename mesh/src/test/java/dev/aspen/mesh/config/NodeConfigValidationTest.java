package dev.aspen.mesh.config;

import static dev.aspen.mesh.config.NodeConfigLoaderTest.ticketFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.FormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every validation rule: the message names the setting, its value (unless secret) and where it came from. */
class NodeConfigValidationTest {
    private static final String NOT_IP =
            ": is not an IP address (IPv4 such as 10.0.0.5 or IPv6 such as ::1; host names are not looked up)";
    private static final String NOT_DURATION =
            ": is not a duration: write a whole number directly followed by ms, s or m (500ms, 2s, 1m)";
    private static final String WILDCARD =
            ": must be a specific unicast address, not a wildcard (0.0.0.0, ::) or multicast one";
    private static final String TOKEN_REQUIRED = ": is not a loopback address, so http-token is required"
            + " (--http-token, ASPEN_HTTP_TOKEN or http_token in the file)";

    @TempDir
    Path dir;

    private String error(Layers layers) {
        FormatException e = catchThrowableOfType(layers::load, FormatException.class);
        assertThat(e).as("a FormatException").isNotNull();
        return e.getMessage();
    }

    private static Arguments rejects(String expected, String... settings) {
        return Arguments.of(expected, settings);
    }

    static Stream<Arguments> invalid() {
        String seventeenPeers = IntStream.rangeClosed(1, 17)
                .mapToObj(i -> "10.0.0." + i + ":7000")
                .collect(Collectors.joining(","));
        return Stream.of(
                rejects("--voters 4 (flag): must be odd (1, 3, 5 or 7)", "--voters=4"),
                rejects("ASPEN_VOTERS=9: must be odd (1, 3, 5 or 7)", "ASPEN_VOTERS=9"),
                rejects("voters = 4 in {file}: must be odd (1, 3, 5 or 7)", "toml:voters = 4"),
                rejects("--voters 0 (flag): must be odd (1, 3, 5 or 7)", "--voters=0"),
                rejects("--voters three (flag): is not a whole number", "--voters=three"),
                rejects("--voters 99999999999 (flag): is not a whole number", "--voters=99999999999"),
                rejects("--bootstrap-expect 8 (flag): must be 0 to 7", "--bootstrap-expect=8"),
                rejects("ASPEN_BOOTSTRAP_EXPECT=-1: must be 0 to 7", "ASPEN_BOOTSTRAP_EXPECT=-1"),
                rejects("--quic-port 65536 (flag): must be 0 to 65535", "--quic-port=65536"),
                rejects("ASPEN_GOSSIP_PORT=-1: must be 0 to 65535", "ASPEN_GOSSIP_PORT=-1"),
                rejects("http_port = 70000 in {file}: must be 0 to 65535", "toml:http_port = 70000"),
                rejects("--bind 0.0.0.0 (flag)" + WILDCARD, "--bind=0.0.0.0"),
                rejects("--bind :: (flag)" + WILDCARD, "--bind=::"),
                rejects("ASPEN_BIND=224.0.0.1" + WILDCARD, "ASPEN_BIND=224.0.0.1"),
                rejects("--bind localhost (flag)" + NOT_IP, "--bind=localhost"),
                rejects("--bind 127.0.0.1:7000 (flag)" + NOT_IP, "--bind=127.0.0.1:7000"),
                rejects("http_bind = \"example.com\" in {file}" + NOT_IP, "toml:http_bind = \"example.com\""),
                rejects(
                        "--http-bind 239.1.2.3 (flag): must be a unicast or wildcard address, not a multicast one",
                        "--http-bind=239.1.2.3"),
                rejects("--http-bind 10.0.0.5 (flag)" + TOKEN_REQUIRED, "--http-bind=10.0.0.5"),
                rejects("ASPEN_HTTP_BIND=0.0.0.0" + TOKEN_REQUIRED, "ASPEN_HTTP_BIND=0.0.0.0"),
                rejects("--http-token <hidden> (flag): must be 16 to 1024 characters", "--http-token=short"),
                rejects("--ticket <hidden> (flag): ticket must start with 'aspen'", "--ticket=birch123"),
                rejects(
                        "--ticket <hidden> (flag): names cluster "
                                + ticketFor("a").clusterId()
                                + ", but the cookie (ASPEN_COOKIE=<hidden>) is cluster "
                                + Cookie.of("b").clusterId(),
                        "--ticket=" + ticketFor("a"),
                        "ASPEN_COOKIE=b"),
                rejects(
                        "--peers 10.0.0.1 (flag): address '10.0.0.1' has no port; expected HOST:PORT",
                        "--peers=10.0.0.1"),
                rejects(
                        "ASPEN_PEERS=db.local:7000: address 'db.local:7000' does not start with an IPv4 address or"
                                + " a bracketed IPv6 address such as [::1]; host names are not accepted here",
                        "ASPEN_PEERS=db.local:7000"),
                rejects(
                        "--peers " + seventeenPeers + " (flag): has 17 addresses, more than the 16 allowed",
                        "--peers=" + seventeenPeers),
                rejects(
                        "peers = [\"10.0.0.1:0\"] in {file}: address '10.0.0.1:0' has port 0; ports are 1 to 65535",
                        "toml:peers = [\"10.0.0.1:0\"]"),
                rejects(
                        "--heartbeat-period 1500ms (flag): must be a whole number of seconds from 1s to 60s",
                        "--heartbeat-period=1500ms"),
                rejects(
                        "--heartbeat-period 0s (flag): must be a whole number of seconds from 1s to 60s",
                        "--heartbeat-period=0s"),
                rejects("--heartbeat-period 2 (flag)" + NOT_DURATION, "--heartbeat-period=2"),
                rejects("--heartbeat-period 1.5s (flag)" + NOT_DURATION, "--heartbeat-period=1.5s"),
                rejects("--heartbeat-period 2 s (flag)" + NOT_DURATION, "--heartbeat-period=2 s"),
                rejects("ASPEN_HEARTBEAT_PERIOD=1h" + NOT_DURATION, "ASPEN_HEARTBEAT_PERIOD=1h"),
                rejects(
                        "--election-timeout 11m (flag): must be a whole number of seconds from 2s to 10m",
                        "--election-timeout=11m"),
                rejects(
                        "--heartbeat-period 3s (flag): must be shorter than election-timeout"
                                + " (--election-timeout 2s (default))",
                        "--heartbeat-period=3s"),
                rejects(
                        "--election-timeout 3s (flag): must be longer than heartbeat-period"
                                + " (ASPEN_HEARTBEAT_PERIOD=3s)",
                        "--election-timeout=3s",
                        "ASPEN_HEARTBEAT_PERIOD=3s"),
                rejects(
                        "election_timeout = \"4s\" in {file}: must be longer than heartbeat-period"
                                + " (heartbeat_period = \"4s\" in {file})",
                        "toml:election_timeout = \"4s\"",
                        "toml:heartbeat_period = \"4s\""),
                rejects(
                        "--dead-voter-grace 500ms (flag): must be from 1s to 1440m (a day)",
                        "--dead-voter-grace=500ms"),
                rejects(
                        "--dead-voter-grace 1441m (flag): must be from 1s to 1440m (a day)",
                        "--dead-voter-grace=1441m"),
                rejects("--disk-full-percent 49 (flag): must be 50 to 99", "--disk-full-percent=49"),
                rejects("ASPEN_DISK_FULL_PERCENT=100: must be 50 to 99", "ASPEN_DISK_FULL_PERCENT=100"),
                rejects(
                        "--cookie <hidden> (flag): must be non-blank, without leading or trailing whitespace",
                        "--cookie=   "),
                rejects(
                        "cookie = <hidden> in {file}: must be non-blank, without leading or trailing whitespace",
                        "toml:cookie = \" secret\""),
                rejects("ASPEN_COOKIE=<hidden>: cookie must not be empty", "ASPEN_COOKIE="),
                rejects("--timing metro (flag): must be lan or wan", "--timing=metro"),
                rejects("ASPEN_LAN=maybe: must be true or false", "ASPEN_LAN=maybe"),
                rejects("--data-dir  (flag): must not be empty", "--data-dir="),
                rejects("ASPEN_QUIC_PORT=: is not a whole number", "ASPEN_QUIC_PORT="));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalid")
    void namesTheBadSettingAndWhereItCameFrom(String expected, String[] settings) {
        Layers layers = Layers.of(dir, settings);
        assertThat(error(layers))
                .isEqualTo(expected.replace("{file}", layers.file().toString()));
    }

    @Test
    void secretsNeverAppearInMessages() {
        String message = error(Layers.of(dir, "--http-token=hunter2", "ASPEN_COOKIE= hunter3"));
        assertThat(message).doesNotContain("hunter");
    }

    @Test
    void unknownKeysAreNamedWithTheCloseAndTheKnownOnes() {
        Layers layers = Layers.of(dir, "toml:voter = 3", "toml:data-dir = \"x\"", "toml:colour = \"red\"");
        assertThat(error(layers))
                .isEqualTo(layers.file() + ": unknown keys 'voter' (did you mean 'voters'?),"
                        + " 'data-dir' (did you mean 'data_dir'?), 'colour'; the known keys are data_dir, cookie,"
                        + " ticket, peers, bind, quic_port, gossip_port, http_port, bootstrap_expect, voters, lan,"
                        + " http_bind, http_token, timing, heartbeat_period, election_timeout, dead_voter_grace,"
                        + " disk_full_percent, fault_injection");
    }

    @Test
    void tablesAndTheConfigKeyAreUnknownKeys() {
        Layers layers = Layers.of(dir, "toml:config = \"other.toml\"", "toml:[http]", "toml:port = 80");
        assertThat(error(layers)).startsWith(layers.file() + ": unknown keys 'config', 'http'; the known keys are ");
    }

    @Test
    void wrongTypesNameTheKeyAndTheFile() {
        Layers quoted = Layers.of(dir, "toml:voters = \"3\"");
        assertThat(error(quoted))
                .isEqualTo("voters = \"3\" in " + quoted.file() + ": must be an integer, not a string");
        assertThat(error(Layers.of(dir, "toml:lan = \"false\"")))
                .endsWith(": must be a boolean (true or false), not a string");
        assertThat(error(Layers.of(dir, "toml:peers = \"10.0.0.1:7000\"")))
                .startsWith("peers = \"10.0.0.1:7000\" in ")
                .endsWith(": must be an array of strings, not a string");
        assertThat(error(Layers.of(dir, "toml:peers = [7000]")))
                .endsWith(": must be an array of strings, not an array with non-string items");
        assertThat(error(Layers.of(dir, "toml:disk_full_percent = 90.5")))
                .endsWith(": must be an integer, not a float");
        assertThat(error(Layers.of(dir, "toml:heartbeat_period = 1"))).endsWith(": must be a string, not an integer");
        assertThat(error(Layers.of(dir, "toml:http_token = 12")))
                .isEqualTo(
                        "http_token = <hidden> in " + dir.resolve("aspen.toml") + ": must be a string, not an integer");
    }

    @Test
    void malformedTomlNamesTheFileAndLine() {
        Layers layers = Layers.of(dir, "toml:voters = 3", "toml:", "toml:bind = \"127.0.0.1");
        assertThat(error(layers))
                .isEqualTo(layers.file() + " line 3, column 18: malformed TOML: Newline not permitted here");
        Layers duplicate = Layers.of(dir, "toml:voters = 3", "toml:voters = 5", "toml:", "toml:lan = true");
        assertThat(error(duplicate)).isEqualTo(duplicate.file() + " line 2: malformed TOML: key 'voters' is set twice");
    }

    @Test
    void aMissingOrHugeFileIsNamedWithWhereItWasGiven() throws Exception {
        Path missing = dir.resolve("missing.toml");
        assertThat(error(Layers.of(dir, "--config=" + missing)))
                .isEqualTo("--config " + missing + " (flag): no such file");
        assertThat(error(Layers.of(dir, "ASPEN_CONFIG=" + missing)))
                .isEqualTo("ASPEN_CONFIG=" + missing + ": no such file");

        Path huge = Files.writeString(dir.resolve("huge.toml"), "# " + "x".repeat(TomlSettings.MAX_FILE_BYTES));
        assertThat(error(Layers.of(dir, "--config=" + huge)))
                .isEqualTo("--config " + huge + " (flag): the file is larger than 65536 bytes");
    }

    @Test
    void anEmptyFileSetsNothing() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.toml"), "");
        assertThat(NodeConfigLoader.load(Map.of(Setting.CONFIG, empty.toString()), Map.of()))
                .isEqualTo(NodeConfigLoader.load(Map.of(), Map.of()));
    }
}
