package dev.aspen.kv.replicated;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.consensus.sim.SimCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link KvScenario} over many seeds. {@code -Daspen.sim.seeds=N} runs N seeds (default
 * {@value #DEFAULT_SEEDS}), {@code -Daspen.sim.seed=S} replays seed S alone.
 */
class ReplicatedKvSweepTest {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedKvSweepTest.class);
    private static final long FIRST_SEED = 1_000;
    private static final int DEFAULT_SEEDS = 40;

    @TempDir
    Path dir;

    @Test
    void randomFaultsKeepEveryKeyLinearizableAndEveryWatchGapFree() {
        List<String> failures = new ArrayList<>();
        List<Long> seeds = seeds();
        int staleAnomalies = 0;
        for (long seed : seeds) {
            KvScenario.Outcome outcome = KvScenario.run(seed, dir.resolve("seed-" + seed));
            LOG.info("{}", outcome.report());
            failures.addAll(outcome.failures());
            staleAnomalies += outcome.staleReadsLinearizable() ? 0 : 1;
        }
        assertThat(failures).as("failing seeds").isEmpty();
        if (seeds.size() >= 10) {
            // the checker has teeth: stale reads from lagging followers must be caught in some runs
            assertThat(staleAnomalies)
                    .as("runs whose stale reads were not linearizable")
                    .isPositive();
        }
    }

    private static List<Long> seeds() {
        Long only = Long.getLong(SimCluster.SEED_PROPERTY);
        if (only != null) {
            return List.of(only);
        }
        int count = Integer.getInteger("aspen.sim.seeds", DEFAULT_SEEDS);
        return LongStream.range(FIRST_SEED, FIRST_SEED + count).boxed().toList();
    }
}
