package dev.aspen.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.consensus.sim.RecordingStateMachine;
import dev.aspen.consensus.sim.SimCluster;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SimulatedRaftGroupTest {
    private static final RaftGroupConfig CONFIG = RaftGroupConfig.builder()
            .commitCountToTakeSnapshot(1000)
            .snapshotChunkBytes(1024)
            .build();

    @Test
    void electsOneLeaderAndReplicatesToEveryMember() {
        SimCluster cluster = SimCluster.create(1, 3, CONFIG);
        cluster.startAll();
        Optional<NodeEndpoint> leader = cluster.awaitLeader(10_000);
        assertThat(leader).as(cluster.replayHint()).isPresent();

        for (int i = 0; i < 20; i++) {
            long id = cluster.nextCommandId();
            CompletableFuture<Result> f =
                    cluster.node(leader.get()).group().replicate(RecordingStateMachine.command(id, 4));
            assertThat(cluster.await(f, 2000)).isTrue();
            assertThat(f.join().value()).isEqualTo(id);
        }
        assertThat(cluster.awaitConverged(5000)).as(cluster.replayHint()).isTrue();
        for (SimCluster.Node node : cluster.nodes()) {
            assertThat(node.stateMachine().entries()).hasSize(20);
        }
        assertThat(cluster.history().violations()).isEmpty();
    }
}
