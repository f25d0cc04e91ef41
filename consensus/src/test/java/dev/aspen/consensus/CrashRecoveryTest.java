package dev.aspen.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.consensus.sim.SimCluster;
import dev.aspen.consensus.sim.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Crashes lose unflushed writes (a random prefix of them survives). No committed entry may be lost
 * or changed, and every acknowledged command must be applied exactly once after the restarts.
 */
class CrashRecoveryTest {
    private static final int SEEDS = 25;
    private static final RaftGroupConfig CONFIG = RaftGroupConfig.builder()
            .commitCountToTakeSnapshot(30)
            .snapshotChunkBytes(1024)
            .build();

    @Test
    void crashingAnyMinorityAtRandomPointsLosesNothingCommitted() {
        List<String> failures = new ArrayList<>();
        for (long seed = 500; seed < 500 + SEEDS; seed++) {
            SimCluster cluster = SimCluster.create(seed, 5, CONFIG);
            cluster.network().configure(1, 10, 0, 0);
            cluster.startAll();
            Workload workload = new Workload(cluster, 200, 5, 40);
            workload.start();
            for (int round = 0; round < 6; round++) {
                cluster.scheduler().runFor(200 + cluster.random().nextInt(2000));
                List<SimCluster.Node> up = new ArrayList<>(cluster.upNodes());
                int crashes = 1 + cluster.random().nextInt(2);
                for (int i = 0; i < crashes; i++) {
                    cluster.crash(up.remove(cluster.random().nextInt(up.size())).endpoint());
                }
                cluster.scheduler().runFor(cluster.random().nextInt(3000));
                cluster.nodes().stream().filter(n -> !n.isUp()).forEach(n -> cluster.restart(n.endpoint()));
            }
            workload.stop();
            failures.addAll(verify(cluster, workload.acked()));
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void crashingEveryNodeKeepsEveryAcknowledgedCommand() {
        List<String> failures = new ArrayList<>();
        for (long seed = 700; seed < 700 + SEEDS; seed++) {
            SimCluster cluster = SimCluster.create(seed, 3, CONFIG);
            cluster.network().configure(1, 10, 0, 0);
            cluster.startAll();
            Workload workload = new Workload(cluster, 150, 5, 30);
            workload.start();
            cluster.scheduler().runUntil(() -> !workload.acked().isEmpty(), 20_000);
            cluster.scheduler().runFor(cluster.random().nextInt(3000));
            cluster.nodes().forEach(n -> cluster.crash(n.endpoint()));
            Map<Long, Long> acked = workload.acked();
            workload.stop();
            cluster.scheduler().runFor(500);
            cluster.nodes().forEach(n -> cluster.restart(n.endpoint()));
            if (acked.isEmpty()) {
                failures.add(cluster.replayHint() + ": nothing was acknowledged before the crash");
            }
            failures.addAll(verify(cluster, acked));
        }
        assertThat(failures).isEmpty();
    }

    private static List<String> verify(SimCluster cluster, Map<Long, Long> acked) {
        List<String> failures = new ArrayList<>();
        Optional<SimCluster.Acked> barrier = cluster.replicateWithRetry(30_000);
        if (barrier.isEmpty() || !cluster.awaitConverged(30_000)) {
            failures.add(cluster.replayHint() + ": no progress or no convergence after restart");
            return failures;
        }
        for (SimCluster.Node node : cluster.upNodes()) {
            Map<Long, Long> state = node.stateMachine().entries();
            acked.forEach((id, index) -> {
                if (!id.equals(state.get(index))) {
                    failures.add(cluster.replayHint() + ": acknowledged " + id + " at " + index + " but "
                            + node.endpoint() + " holds " + state.get(index));
                }
            });
        }
        cluster.history().violations().forEach(v -> failures.add(cluster.replayHint() + ": " + v));
        return failures;
    }
}
