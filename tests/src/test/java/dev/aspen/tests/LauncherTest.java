package dev.aspen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.tickets.NodeId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs {@code bin/aspen} the way the README and users do: as a separate process from a shell. */
class LauncherTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private record Result(int exitCode, String out, String err) {}

    private static Result shell(String script) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("bash", "-c", script)
                .directory(ROOT.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/aspen did not finish within 120 s: " + script);
        }
        return new Result(
                process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void ticketCreatePipedIntoInspectRoundTrips() throws Exception {
        String node = NodeId.ofBytes(new byte[32]).toString();
        Result result = shell("set -o pipefail; bin/aspen ticket create --cookie ci --peer " + node
                + "@127.0.0.1:7000 | xargs bin/aspen ticket inspect");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("\"node_id\" : \"" + node + "\"").contains("\"127.0.0.1:7000\"");
    }

    @Test
    void badTicketExitsTwoWithOneLineAndNoStackTrace() throws Exception {
        Result result = shell("bin/aspen ticket inspect aspen0");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.err()).startsWith("aspen: ticket contains '0' at position 0");
    }
}
