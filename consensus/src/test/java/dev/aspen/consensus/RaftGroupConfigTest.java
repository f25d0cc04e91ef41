package dev.aspen.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.consensus.sim.SimCluster;
import io.microraft.model.message.RaftMessage;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class RaftGroupConfigTest {
    @Test
    void defaultsAreTheSafeTimings() {
        RaftGroupConfig config = RaftGroupConfig.defaults();
        assertThat(config.leaderHeartbeatPeriod()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.leaderHeartbeatTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.leaderElectionTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.maxPendingLogEntries()).isEqualTo(RaftGroupConfig.DEFAULT_MAX_PENDING_LOG_ENTRIES);
        assertThat(config.staleReadWait()).isPositive();
    }

    @Test
    void rejectsInvalidFieldsByName() {
        rejects(b -> b.leaderHeartbeatTimeout(Duration.ofSeconds(1)), "leaderHeartbeatTimeout");
        rejects(b -> b.leaderHeartbeatPeriod(Duration.ofMillis(1500)), "leaderHeartbeatPeriod");
        rejects(b -> b.leaderHeartbeatPeriod(null), "leaderHeartbeatPeriod");
        rejects(b -> b.leaderElectionTimeout(Duration.ofMillis(10)), "leaderElectionTimeout");
        rejects(b -> b.appendEntriesBatchSize(0), "appendEntriesBatchSize");
        rejects(
                b -> b.commitCountToTakeSnapshot(RaftGroupConfig.MAX_COMMIT_COUNT_TO_TAKE_SNAPSHOT + 1),
                "commitCountToTakeSnapshot");
        rejects(b -> b.maxPendingLogEntries(0), "maxPendingLogEntries");
        rejects(b -> b.snapshotChunkBytes(100), "snapshotChunkBytes");
        rejects(b -> b.staleReadWait(Duration.ofSeconds(-1)), "staleReadWait");
        rejects(b -> b.maxQueuedTasks(1), "maxQueuedTasks");
        rejects(b -> b.reportPeriod(Duration.ZERO), "reportPeriod");
    }

    private static void rejects(UnaryOperator<RaftGroupConfig.Builder> change, String field) {
        assertThatThrownBy(() -> change.apply(RaftGroupConfig.builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(field);
    }

    @Test
    void builderRejectsInconsistentMembership() {
        NodeEndpoint self = SimCluster.endpoint(0);
        NodeEndpoint other = SimCluster.endpoint(1);
        RaftTransport transport = new RaftTransport() {
            @Override
            public void send(NodeEndpoint target, RaftMessage message) {}

            @Override
            public boolean isReachable(NodeEndpoint endpoint) {
                return false;
            }
        };
        RaftGroup.Builder builder = RaftGroup.builder("g", self)
                .stateMachine(new RealThreadsRaftGroupTest.ListStateMachine())
                .transport(transport);

        assertThatThrownBy(() -> builder.startNew(List.of(other)))
                .hasMessageContaining("initialMembers must contain the local endpoint");
        assertThatThrownBy(() -> builder.join(List.of(self, other)))
                .hasMessageContaining("must not contain the joining endpoint");
        assertThatThrownBy(() -> builder.startNew(List.of(self, self))).hasMessageContaining("duplicates");
        assertThatThrownBy(() -> RaftGroup.builder("", self).startNew(List.of(self)))
                .hasMessageContaining("groupId");
        assertThatThrownBy(
                        () -> RaftGroup.builder("g", self).transport(transport).startNew(List.of(self)))
                .hasMessageContaining("stateMachine");
    }
}
