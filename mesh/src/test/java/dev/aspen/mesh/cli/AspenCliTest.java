package dev.aspen.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class AspenCliTest {
    private static final String NODE_A = NodeId.ofBytes(new byte[32]).toString();
    private static final String NODE_B = NodeId.ofBytes(filled(0x5a)).toString();

    private static byte[] filled(int value) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    private record Run(int exitCode, String out, String err) {}

    private static Run aspen(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = AspenMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void createThenInspectRoundTrips() throws Exception {
        Run created = aspen(
                "ticket",
                "create",
                "--cookie",
                "s3cret",
                "--peer",
                NODE_A + "@127.0.0.1:7000,[::1]:7000",
                "--peer",
                NODE_B + "@10.0.0.9:7100");
        assertThat(created.exitCode()).isZero();
        String ticket = created.out().strip();
        assertThat(ClusterTicket.parse(ticket).clusterId())
                .isEqualTo(Cookie.of("s3cret").clusterId());

        Run inspected = aspen("ticket", "inspect", ticket);
        assertThat(inspected.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(inspected.out());
        assertThat(json.get("version").asInt()).isEqualTo(1);
        assertThat(json.get("cluster_id").asText())
                .isEqualTo(Cookie.of("s3cret").clusterId().toString());
        assertThat(json.get("join_secret").asBoolean()).isFalse();
        assertThat(json.get("peers")).hasSize(2);
        assertThat(json.get("peers").get(0).get("node_id").asText()).isEqualTo(NODE_A);
        assertThat(json.get("peers").get(0).get("addresses").toString())
                .isEqualTo("[\"127.0.0.1:7000\",\"[0:0:0:0:0:0:0:1]:7000\"]");
        assertThat(json.get("peers").get(1).get("addresses").get(0).asText()).isEqualTo("10.0.0.9:7100");
    }

    @Test
    void badPeerIsAUsageErrorOnOneLine() {
        Run run = aspen("ticket", "create", "--cookie", "c", "--peer", "nonsense");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().findFirst().orElseThrow())
                .isEqualTo("aspen: Invalid value for option '--peer' (NODEID@HOST:PORT[,HOST:PORT...]): "
                        + "peer 'nonsense' must look like NODEID@HOST:PORT[,HOST:PORT...]");
        assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void duplicatePeerIsAUsageError() {
        Run run = aspen(
                "ticket",
                "create",
                "--cookie",
                "c",
                "--peer",
                NODE_A + "@127.0.0.1:1",
                "--peer",
                NODE_A + "@127.0.0.1:2");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("aspen: peer " + NODE_A + " appears twice in the ticket\n");
    }

    @Test
    void emptyCookieIsAUsageError() {
        Run run = aspen("ticket", "create", "--cookie", "", "--peer", NODE_A + "@127.0.0.1:1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("aspen: cookie must not be empty\n");
    }

    @Test
    void malformedTicketIsAUsageErrorNamingTheProblem() {
        Run run = aspen("ticket", "inspect", "birch123");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("aspen: ticket must start with 'aspen'\n");
    }

    @Test
    void missingArgumentsAreUsageErrors() {
        assertThat(aspen("ticket", "create", "--cookie", "c").exitCode()).isEqualTo(2);
        assertThat(aspen("ticket", "inspect").exitCode()).isEqualTo(2);
        assertThat(aspen().exitCode()).isEqualTo(2);
        assertThat(aspen("no-such-command").exitCode()).isEqualTo(2);
    }

    @Test
    void printsTheVersion() {
        Run run = aspen("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).matches("aspen \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\n");
    }

    @Test
    void demoPrintsAParsableTicket() {
        Run run = aspen("ticket", "demo");
        assertThat(run.exitCode()).isZero();
        String ticketLine = run.out()
                .lines()
                .map(String::strip)
                .filter(line -> line.startsWith("aspen"))
                .findFirst()
                .orElseThrow();
        assertThat(ClusterTicket.parse(ticketLine).clusterId())
                .isEqualTo(Cookie.of("aspen-demo").clusterId());
    }
}
