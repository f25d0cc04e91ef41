package dev.aspen.consensus;

import static dev.aspen.consensus.SimulatedRaftGroupTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.consensus.sim.RecordingStateMachine;
import dev.aspen.consensus.sim.SimCluster;
import io.microraft.persistence.RestoredRaftState;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Learner join, promotion and removal; snapshot catch-up and restart from snapshot + tail. */
class MembershipAndSnapshotTest {
    private static final RaftGroupConfig SMALL_SNAPSHOTS = RaftGroupConfig.builder()
            .commitCountToTakeSnapshot(20)
            .snapshotChunkBytes(1024)
            .build();

    private static RaftGroup leader(SimCluster cluster) {
        return cluster.node(cluster.awaitLeader(10_000).orElseThrow()).group();
    }

    private static void replicate(SimCluster cluster, int count) {
        for (int i = 0; i < count; i++) {
            assertThat(cluster.replicateWithRetry(10_000))
                    .as(cluster.replayHint())
                    .isPresent();
        }
    }

    private static <T> T await(SimCluster cluster, CompletableFuture<T> future) {
        assertThat(cluster.await(future, 10_000)).as(cluster.replayHint()).isTrue();
        return future.join();
    }

    @Test
    void learnerJoinsCatchesUpIsPromotedAndIsRemoved() {
        SimCluster cluster = SimCluster.create(11, 3, SMALL_SNAPSHOTS);
        cluster.startAll();
        replicate(cluster, 50);
        NodeEndpoint joiner = cluster.startJoiner();

        GroupMembers withLearner = await(cluster, leader(cluster).addLearner(joiner));
        assertThat(withLearner.learners()).containsExactly(joiner);
        assertThat(withLearner.votingMembers()).hasSize(3);
        assertThat(cluster.awaitConverged(10_000)).as("learner catches up").isTrue();
        assertThat(cluster.node(joiner).stateMachine().entries())
                .isEqualTo(cluster.node(leader(cluster).localEndpoint())
                        .stateMachine()
                        .entries());

        GroupMembers promoted = await(cluster, leader(cluster).promote(joiner));
        assertThat(promoted.votingMembers()).hasSize(4).contains(joiner);
        assertThat(promoted.learners()).isEmpty();
        replicate(cluster, 5);
        assertThat(cluster.report(leader(cluster).localEndpoint()).orElseThrow().followerMatchIndex())
                .containsKey(joiner);

        GroupMembers removed = await(cluster, leader(cluster).remove(joiner));
        assertThat(removed.members()).hasSize(3).doesNotContain(joiner);
        RaftGroup removedGroup = cluster.node(joiner).group();
        long appliedWhenRemoved = cluster.node(joiner).stateMachine().appliedIndex();
        replicate(cluster, 5);
        assertThat(cluster.node(joiner).stateMachine().appliedIndex())
                .as("the removed member gets no more entries")
                .isEqualTo(appliedWhenRemoved);

        removedGroup.terminate();
        cluster.scheduler().runFor(100);
        assertThat(removedGroup.terminated())
                .as("removed member terminated by its owner")
                .isCompleted();
        assertThat(removedGroup.isTerminated()).isTrue();
        assertThat(cluster.history().violations()).isEmpty();
    }

    @Test
    void secondMembershipChangeWhileOneIsPendingIsRejected() {
        SimCluster cluster = SimCluster.create(12, 3, SMALL_SNAPSHOTS);
        cluster.startAll();
        replicate(cluster, 3);
        NodeEndpoint first = cluster.startJoiner();
        NodeEndpoint second = cluster.startJoiner();
        RaftGroup leader = leader(cluster);

        CompletableFuture<GroupMembers> a = leader.addLearner(first);
        CompletableFuture<GroupMembers> b = leader.addLearner(second);

        Throwable rejected = failure(b);
        assertThat(rejected).isInstanceOf(MembershipChangePendingException.class);
        assertThat(((RaftGroupException) rejected).code()).isEqualTo(RaftErrorCode.MEMBERSHIP_CHANGE_PENDING);
        assertThat(await(cluster, a).learners()).containsExactly(first);
        assertThat(await(cluster, leader.addLearner(second)).learners()).containsExactlyInAnyOrder(first, second);
    }

    @Test
    void addingAnExistingMemberIsInvalid() {
        SimCluster cluster = SimCluster.create(13, 3, SMALL_SNAPSHOTS);
        cluster.startAll();
        replicate(cluster, 1);
        RaftGroup leader = leader(cluster);

        CompletableFuture<GroupMembers> f =
                leader.addLearner(cluster.initialMembers().get(0));
        cluster.await(f, 1000);
        assertThat(((RaftGroupException) failure(f)).code()).isEqualTo(RaftErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void laggingFollowerCatchesUpBySnapshot() {
        SimCluster cluster = SimCluster.create(14, 3, SMALL_SNAPSHOTS);
        cluster.startAll();
        replicate(cluster, 5);
        NodeEndpoint leader = cluster.leader().orElseThrow();
        NodeEndpoint lagging = cluster.initialMembers().stream()
                .filter(e -> !e.equals(leader))
                .findFirst()
                .orElseThrow();
        cluster.network().partition(new NodeEndpoint[] {lagging});
        replicate(cluster, 200);
        assertThat(cluster.report(cluster.leader().orElseThrow()).orElseThrow().snapshotIndex())
                .isGreaterThan(100);

        cluster.network().heal();
        assertThat(cluster.awaitConverged(20_000)).as(cluster.replayHint()).isTrue();
        RecordingStateMachine follower = cluster.node(lagging).stateMachine();
        assertThat(follower.snapshotsInstalled()).as("caught up by snapshot").isPositive();
        assertThat(follower.entries())
                .isEqualTo(cluster.node(cluster.leader().orElseThrow())
                        .stateMachine()
                        .entries());
        assertThat(cluster.history().violations()).isEmpty();
    }

    @Test
    void restartsFromSnapshotPlusTail() {
        SimCluster cluster = SimCluster.create(15, 3, SMALL_SNAPSHOTS);
        cluster.startAll();
        replicate(cluster, 50);
        assertThat(cluster.awaitConverged(10_000)).isTrue();
        NodeEndpoint victim = cluster.initialMembers().stream()
                .filter(e -> !e.equals(cluster.leader().orElseThrow()))
                .findFirst()
                .orElseThrow();

        cluster.crash(victim);
        RestoredRaftState restored =
                cluster.node(victim).store().restoredState().orElseThrow();
        assertThat(restored.getSnapshotEntry()).as("a snapshot survived").isNotNull();
        assertThat(restored.getLogEntries()).as("and a tail after it").isNotEmpty();
        assertThat(restored.getLogEntries().get(0).getIndex())
                .isEqualTo(restored.getSnapshotEntry().getIndex() + 1);

        cluster.restart(victim);
        replicate(cluster, 10);
        assertThat(cluster.awaitConverged(10_000)).as(cluster.replayHint()).isTrue();
        assertThat(cluster.node(victim).stateMachine().entries())
                .isEqualTo(cluster.node(cluster.leader().orElseThrow())
                        .stateMachine()
                        .entries());
        assertThat(cluster.history().violations()).isEmpty();
    }
}
