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
        KvScenario.Outcome outcome = KvScenario.run(7, dir);
        assertThat(outcome.failures()).as(outcome.report()).isEmpty();
        assertThat(outcome.acknowledgedWrites()).as(outcome.report()).isGreaterThan(100);
        assertThat(outcome.report()).contains("0 compacted gaps").doesNotContain("0 watch events");
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
