package dev.aspen.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {}

    private static Run aspen(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = AspenMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private Run bench(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "bench";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--data-dir";
        all[args.length + 2] = dir.toString();
        return aspen(all);
    }

    private static void assertUsageError(Run run, String message) {
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().findFirst().orElseThrow()).isEqualTo("aspen: " + message);
        assertThat(run.err()).doesNotContain("\tat ");
    }

    @Test
    void unknownWorkloadIsAUsageError() {
        assertUsageError(bench("scan"), "workload must be put, get, mixed, txn or watch, got 'scan'");
    }

    @Test
    void totalAndDurationTogetherAreAUsageError() {
        assertUsageError(bench("put", "--total", "10", "--duration", "5s"), "give total or duration, not both");
    }

    @Test
    void outOfRangeInflightIsAUsageError() {
        assertUsageError(bench("put", "--inflight", "0"), "inflight must be 1..65536, was 0");
    }

    @Test
    void badDurationIsAUsageError() {
        Run run = bench("put", "--duration", "soon");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("'soon' is not a duration like 10s, 500ms, 2m or 1h");
    }

    @Test
    void badConsistencyIsAUsageError() {
        assertUsageError(
                bench("get", "--consistency", "eventual"),
                "consistency must be linearizable, lease or stale (serializable), got 'eventual'");
    }

    @Test
    void missingWorkloadIsAUsageError() {
        Run run = aspen("bench");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("aspen: Missing required parameter: 'WORKLOAD'");
    }

    @Test
    void noNodeInTheDataDirIsAUsageError() {
        Run run = bench("put", "--total", "10");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("aspen: " + dir.resolve("node.json") + " does not exist");
    }
}
