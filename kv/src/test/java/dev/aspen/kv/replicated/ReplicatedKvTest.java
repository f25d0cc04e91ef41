package dev.aspen.kv.replicated;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Single replicated runs on the simulator: a fixed seed passes every check, and a seed fixes the run. */
class ReplicatedKvTest {
    @TempDir
    Path dir;

    @Test
    void aFaultyRunPassesEveryCheckWithWorkDone() {
        KvScenario.Outcome outcome = KvScenario.run(1, dir.resolve("gap-free"));
        assertThat(outcome.failures()).as(outcome.report()).isEmpty();
        assertThat(outcome.acknowledgedWrites()).as(outcome.report()).isGreaterThan(100);
        assertThat(outcome.report()).contains("0 compacted gaps").doesNotContain("0 watch events");

        // Seed 7 installs a snapshot on the watched node: the watch is cancelled as compacted, re-opens
        // from the next available revision, and every other check still holds.
        KvScenario.Outcome throughSnapshot = KvScenario.run(7, dir.resolve("snapshot"));
        assertThat(throughSnapshot.failures()).as(throughSnapshot.report()).isEmpty();
        assertThat(throughSnapshot.report()).contains("1 compacted gaps");
    }

    @Test
    void sameSeedGivesTheSameHistory() {
        KvScenario.Outcome first = KvScenario.run(7, dir.resolve("a"));
        KvScenario.Outcome second = KvScenario.run(7, dir.resolve("b"));
        assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
        assertThat(KvScenario.run(8, dir.resolve("c")).fingerprint()).isNotEqualTo(first.fingerprint());
        assertThat(second.report()).isEqualTo(first.report());
    }
}
