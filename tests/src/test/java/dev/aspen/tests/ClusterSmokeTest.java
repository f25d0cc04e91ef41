package dev.aspen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code scripts/cluster-smoke.sh} as CI and users do: five real node processes on loopback,
 * bootstrap, ticket joins, a leader {@code kill -9} with a 5 s write-recovery bound, a restart that
 * catches up, and autopilot replacing a dead voter. The script's checks are the assertions; this
 * test fails with its output when any of them does.
 */
class ClusterSmokeTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void clusterSmokeScriptPasses(@TempDir Path work) throws Exception {
        Path output = work.resolve("smoke.out");
        Process process = new ProcessBuilder(
                        "bash",
                        "scripts/cluster-smoke.sh",
                        work.resolve("cluster").toString())
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        boolean finished = process.waitFor(480, TimeUnit.SECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(finished)
                .as("the smoke script finished within 480 s:\n%s", out)
                .isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        assertThat(out).contains("cluster-smoke: ok");
    }
}
