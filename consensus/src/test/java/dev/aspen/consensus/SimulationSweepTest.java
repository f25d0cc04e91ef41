package dev.aspen.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.consensus.sim.FaultScenario;
import dev.aspen.consensus.sim.SimCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Runs many seeded fault scenarios. {@code -Daspen.sim.seeds=N} runs N seeds (default 200),
 * {@code -Daspen.sim.seed=S} replays seed S alone.
 */
class SimulationSweepTest {
    private static final long FIRST_SEED = 1_000;

    @Test
    void randomFaultsNeverBreakAnInvariant() {
        List<Long> seeds = seeds();
        List<String> failures = new ArrayList<>();
        int progressed = 0;
        for (long seed : seeds) {
            FaultScenario scenario = FaultScenario.run(seed);
            failures.addAll(scenario.failures());
            if (scenario.cluster().history().commands().size() > 10) {
                progressed++;
            }
        }
        assertThat(failures).as("failing seeds").isEmpty();
        assertThat(progressed).as("runs that committed commands").isGreaterThan(seeds.size() / 2);
    }

    /**
     * Seeds that fail without the MicroRaft 0.7 workarounds (1067, 1219: AppendEntries after a
     * snapshot; 1032, 1464, 4145: InstallSnapshot over stale entries or a pending membership change).
     */
    @Test
    void seedsThatFoundMicroRaftBugsStayGreen() {
        List<String> failures = new ArrayList<>();
        for (long seed : new long[] {1_067, 1_219, 1_032, 1_464, 4_145}) {
            failures.addAll(FaultScenario.run(seed).failures());
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void sameSeedGivesTheSameRun() {
        Long only = Long.getLong(SimCluster.SEED_PROPERTY);
        List<Long> seeds = only != null ? List.of(only) : List.of(42L, 1_003L, 77_777L);
        for (long seed : seeds) {
            long first = FaultScenario.run(seed).cluster().digest();
            long second = FaultScenario.run(seed).cluster().digest();
            long other = FaultScenario.run(seed + 1).cluster().digest();
            assertThat(second).as("digest of seed %d run twice", seed).isEqualTo(first);
            assertThat(other).as("seed %d and the next differ", seed).isNotEqualTo(first);
        }
    }

    private static List<Long> seeds() {
        Long only = Long.getLong(SimCluster.SEED_PROPERTY);
        if (only != null) {
            return List.of(only);
        }
        int count = Integer.getInteger("aspen.sim.seeds", 200);
        return LongStream.range(FIRST_SEED, FIRST_SEED + count).boxed().toList();
    }
}
