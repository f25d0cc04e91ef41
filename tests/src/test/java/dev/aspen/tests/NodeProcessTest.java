package dev.aspen.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/aspen node} as a real process: serves writes, stops cleanly on SIGTERM with exit 0,
 * and keeps every acknowledged write across a clean restart and across {@code kill -9}.
 */
class NodeProcessTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    private record Result(int exitCode, String out, String err) {}

    private Process startNode(String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of("bin/aspen", "node", "--data-dir", dir.toString()));
        command.addAll(List.of(extra));
        Process process = new ProcessBuilder(command)
                .directory(ROOT.toFile())
                .redirectOutput(
                        dir.resolveSibling(dir.getFileName() + "-node.out").toFile())
                .redirectError(
                        dir.resolveSibling(dir.getFileName() + "-node.err").toFile())
                .start();
        processes.add(process);
        return process;
    }

    private Process startServing() throws IOException {
        Path out = dir.resolveSibling(dir.getFileName() + "-node.out");
        Process process = startNode();
        await().atMost(Duration.ofSeconds(90))
                .until(() -> !process.isAlive()
                        || (Files.exists(out) && Files.readString(out).contains("is serving cluster")));
        assertThat(process.isAlive()).as("node exited early: %s", stderr()).isTrue();
        return process;
    }

    private String stderr() throws IOException {
        Path err = dir.resolveSibling(dir.getFileName() + "-node.err");
        return Files.exists(err) ? Files.readString(err) : "";
    }

    private static Result aspen(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bin/aspen"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .directory(ROOT.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/aspen " + String.join(" ", args) + " did not finish");
        }
        return new Result(
                process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip(),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip());
    }

    private Result kv(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("kv"));
        all.addAll(List.of(args));
        all.addAll(List.of("--data-dir", dir.toString()));
        return aspen(all.toArray(String[]::new));
    }

    @Test
    void acknowledgedWritesSurviveCleanStopsAndKillNine() throws Exception {
        Process node = startServing();
        assertThat(kv("put", "greeting", "hello").exitCode()).isZero();
        assertThat(kv("get", "greeting").out()).isEqualTo("hello");

        node.destroy(); // SIGTERM
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as("a clean stop exits 0").isZero();

        node = startServing();
        assertThat(kv("get", "greeting").out()).isEqualTo("hello");
        assertThat(kv("put", "after", "restart").out()).startsWith("OK (revision 2)");

        node.destroyForcibly(); // SIGKILL: no clean shutdown
        node.waitFor(30, TimeUnit.SECONDS);
        startServing();
        Result scan = kv("scan", "");
        assertThat(scan.out()).isEqualTo("after = restart\ngreeting = hello");
    }

    @Test
    void missingKeyAndBadInputGiveClearErrorsAndExitCodes() throws Exception {
        startServing();
        String port = Files.readString(dir.resolve("node.json"))
                .replaceAll("(?s).*\"quic_address\" : \"[^\"]*:(\\d+)\".*", "$1");
        Result taken = aspen("node", "--data-dir", dir.resolve("second").toString(), "--quic-port", port);
        assertThat(taken.exitCode()).as("a failed start keeps a failure status").isEqualTo(1);
        assertThat(taken.err()).contains("cannot bind UDP").contains("Address already in use");

        Result missing = kv("get", "nope");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("aspen: not_found: key 'nope' does not exist");

        Result badConsistency = kv("get", "nope", "--consistency", "eventual");
        assertThat(badConsistency.exitCode()).isEqualTo(2);
        assertThat(badConsistency.err()).contains("--consistency must be linearizable, lease or stale");

        Result otherCluster = aspen("node", "--data-dir", dir.toString(), "--cookie", "some other cluster");
        assertThat(otherCluster.exitCode()).isEqualTo(2);
        assertThat(otherCluster.err()).contains("this data directory belongs to cluster");

        Result wildcard = aspen("node", "--data-dir", dir.resolve("other").toString(), "--bind", "0.0.0.0");
        assertThat(wildcard.exitCode()).isEqualTo(2);
        assertThat(wildcard.err())
                .contains("--bind 0.0.0.0 (flag): must be a specific unicast address, not a wildcard");

        Result noNode = aspen(
                "kv", "get", "k", "--data-dir", dir.resolve("nothing-here").toString());
        assertThat(noNode.exitCode()).isEqualTo(2);
        assertThat(noNode.err()).contains("node.json does not exist: is a node running with --data-dir");
    }
}
