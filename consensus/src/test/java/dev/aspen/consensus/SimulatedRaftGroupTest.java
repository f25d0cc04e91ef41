package dev.aspen.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.consensus.sim.RecordingStateMachine;
import dev.aspen.consensus.sim.SimCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Raft behaviour of {@link RaftGroup} on the deterministic simulator. */
class SimulatedRaftGroupTest {
    private static final RaftGroupConfig CONFIG = RaftGroupConfig.builder()
            .commitCountToTakeSnapshot(1000)
            .snapshotChunkBytes(1024)
            .build();

    private static SimCluster started(long seed, int voters, RaftGroupConfig config) {
        SimCluster cluster = SimCluster.create(seed, voters, config);
        cluster.startAll();
        assertThat(cluster.awaitLeader(10_000)).as(cluster.replayHint()).isPresent();
        return cluster;
    }

    private static RaftGroup leader(SimCluster cluster) {
        return cluster.node(cluster.awaitLeader(10_000).orElseThrow()).group();
    }

    private static List<Long> replicateAll(SimCluster cluster, int count) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long id = cluster.nextCommandId();
            CompletableFuture<Result> f = leader(cluster).replicate(RecordingStateMachine.command(id, 4));
            assertThat(cluster.await(f, 5000)).as(cluster.replayHint()).isTrue();
            assertThat(f.join().value()).isEqualTo(id);
            ids.add(id);
        }
        return ids;
    }

    static Throwable failure(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        try {
            future.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void electsOneLeaderAndReplicatesToEveryMember() {
        SimCluster cluster = started(1, 3, CONFIG);
        List<Long> ids = replicateAll(cluster, 20);

        assertThat(cluster.awaitConverged(5000)).as(cluster.replayHint()).isTrue();
        for (SimCluster.Node node : cluster.nodes()) {
            assertThat(node.stateMachine().entries().values()).containsExactlyElementsOf(ids);
        }
        assertThat(cluster.history().violations()).isEmpty();
        assertThat(cluster.history().leaderTerms()).isEqualTo(1);
    }

    @Test
    void commitsOnlyWithAMajority() {
        SimCluster cluster = started(2, 3, CONFIG);
        NodeEndpoint leader = cluster.leader().orElseThrow();
        List<NodeEndpoint> followers =
                cluster.initialMembers().stream().filter(e -> !e.equals(leader)).toList();
        followers.forEach(cluster::crash);

        long id = cluster.nextCommandId();
        CompletableFuture<Result> f = cluster.node(leader).group().replicate(RecordingStateMachine.command(id, 4));
        cluster.scheduler().runFor(1500);
        assertThat(f).as("no majority: nothing commits").isNotDone();
        assertThat(cluster.node(leader).stateMachine().contains(id)).isFalse();

        cluster.restart(followers.get(0));
        assertThat(cluster.await(f, 10_000)).as(cluster.replayHint()).isTrue();
        if (!f.isCompletedExceptionally()) {
            assertThat(f.join().value()).isEqualTo(id);
        }
        assertThat(cluster.history().violations()).isEmpty();
    }

    @Test
    void minorityPartitionCannotCommitAndItsLeaderStepsDown() {
        SimCluster cluster = started(3, 5, CONFIG);
        replicateAll(cluster, 5);
        NodeEndpoint oldLeader = cluster.leader().orElseThrow();
        int oldTerm = cluster.report(oldLeader).orElseThrow().term();
        NodeEndpoint companion = cluster.initialMembers().stream()
                .filter(e -> !e.equals(oldLeader))
                .findFirst()
                .orElseThrow();
        cluster.network().partition(new NodeEndpoint[] {oldLeader, companion});

        long lostId = cluster.nextCommandId();
        CompletableFuture<Result> lost =
                cluster.node(oldLeader).group().replicate(RecordingStateMachine.command(lostId, 4));
        cluster.scheduler().runFor(6000);

        assertThat(lost.isDone() && !lost.isCompletedExceptionally())
                .as("minority commit")
                .isFalse();
        assertThat(cluster.report(oldLeader).orElseThrow().role())
                .as("leader cut off from the majority steps down")
                .isNotEqualTo(RaftGroupReport.Role.LEADER);
        NodeEndpoint newLeader = cluster.leader().orElseThrow();
        assertThat(newLeader).isNotIn(oldLeader, companion);
        assertThat(cluster.report(newLeader).orElseThrow().term()).isGreaterThan(oldTerm);
        List<Long> majorityIds = replicateAll(cluster, 5);

        cluster.network().heal();
        assertThat(cluster.awaitConverged(10_000)).as(cluster.replayHint()).isTrue();
        assertThat(cluster.await(lost, 5000)).isTrue();
        assertThat(lost).isCompletedExceptionally();
        for (SimCluster.Node node : cluster.nodes()) {
            assertThat(node.stateMachine().contains(lostId)).isFalse();
            assertThat(node.stateMachine().entries().values()).containsAll(majorityIds);
        }
        assertThat(cluster.history().violations()).isEmpty();
    }

    @Test
    void followerRedirectsToTheLeader() {
        SimCluster cluster = started(4, 3, CONFIG);
        replicateAll(cluster, 1);
        NodeEndpoint leader = cluster.leader().orElseThrow();
        NodeEndpoint follower = cluster.initialMembers().stream()
                .filter(e -> !e.equals(leader))
                .findFirst()
                .orElseThrow();

        CompletableFuture<Result> f = cluster.node(follower).group().replicate(RecordingStateMachine.command(99, 0));
        cluster.await(f, 1000);
        Throwable failure = failure(f);
        assertThat(failure).isInstanceOf(NotLeaderException.class);
        assertThat(((NotLeaderException) failure).leader()).contains(leader);
        assertThat(((NotLeaderException) failure).code()).isEqualTo(RaftErrorCode.NOT_LEADER);

        CompletableFuture<Result> read = cluster.node(follower)
                .group()
                .query(RecordingStateMachine.containsQuery(1), ReadConsistency.linearizable());
        cluster.await(read, 1000);
        assertThat(failure(read)).isInstanceOf(NotLeaderException.class);
    }

    @Test
    void readsHonourTheirConsistency() {
        SimCluster cluster = started(5, 3, CONFIG);
        long id = replicateAll(cluster, 3).get(2);
        RaftGroup leader = leader(cluster);
        NodeEndpoint follower = cluster.initialMembers().stream()
                .filter(e -> !e.equals(leader.localEndpoint()))
                .findFirst()
                .orElseThrow();
        byte[] query = RecordingStateMachine.containsQuery(id);

        CompletableFuture<Result> linearizable = leader.query(query, ReadConsistency.linearizable());
        CompletableFuture<Result> lease = leader.query(query, ReadConsistency.lease());
        cluster.await(CompletableFuture.allOf(linearizable, lease), 2000);
        assertThat(linearizable.join().value()).isEqualTo(true);
        assertThat(lease.join().value()).isEqualTo(true);

        long index = cluster.report(leader.localEndpoint()).orElseThrow().commitIndex();
        CompletableFuture<Result> stale = cluster.node(follower).group().query(query, ReadConsistency.stale(index));
        cluster.await(stale, 2000);
        assertThat(stale.join().value()).isEqualTo(true);
        assertThat(stale.join().index()).isGreaterThanOrEqualTo(index);

        CompletableFuture<Result> future =
                cluster.node(follower).group().query(query, ReadConsistency.stale(index + 1000));
        cluster.scheduler().runFor(CONFIG.staleReadWait().toMillis() - 100);
        assertThat(future).as("waits for the index up to the bound").isNotDone();
        cluster.await(future, 1000);
        assertThat(failure(future)).isInstanceOf(LaggingIndexException.class);
    }

    @Test
    void rejectsCommandsBeyondThePendingLimit() {
        RaftGroupConfig config =
                RaftGroupConfig.builder().maxPendingLogEntries(10).build();
        SimCluster cluster = started(6, 3, config);
        NodeEndpoint leader = cluster.leader().orElseThrow();
        cluster.initialMembers().stream().filter(e -> !e.equals(leader)).forEach(cluster::crash);

        List<CompletableFuture<Result>> futures = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            futures.add(cluster.node(leader).group().replicate(RecordingStateMachine.command(1000 + i, 0)));
            cluster.scheduler().runFor(1);
        }
        Throwable rejected = failure(futures.get(11));
        assertThat(rejected).isInstanceOf(CannotReplicateException.class);
        assertThat(((RaftGroupException) rejected).code()).isEqualTo(RaftErrorCode.UNAVAILABLE);
        assertThat(futures.get(0)).isNotDone();
    }

    @Test
    void rejectsCallsWhenTheRaftQueueIsFull() {
        RaftGroupConfig config = RaftGroupConfig.builder().maxQueuedTasks(16).build();
        SimCluster cluster = started(10, 3, config);
        RaftGroup leader = leader(cluster);

        List<CompletableFuture<Result>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(leader.replicate(RecordingStateMachine.command(2000 + i, 0)));
        }
        assertThat(futures.subList(0, 16)).allMatch(f -> !f.isDone());
        Throwable rejected = failure(futures.get(16));
        assertThat(rejected).isInstanceOf(CannotReplicateException.class).hasMessageContaining("queue is full");

        cluster.await(CompletableFuture.allOf(futures.subList(0, 16).toArray(CompletableFuture[]::new)), 5000);
        assertThat(futures.subList(0, 16)).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    }

    @Test
    void transfersLeadership() {
        SimCluster cluster = started(7, 3, CONFIG);
        replicateAll(cluster, 2);
        RaftGroup leader = leader(cluster);
        NodeEndpoint target = cluster.initialMembers().stream()
                .filter(e -> !e.equals(leader.localEndpoint()))
                .findFirst()
                .orElseThrow();

        CompletableFuture<Void> transfer = leader.transferLeadership(target);
        assertThat(cluster.await(transfer, 5000)).isTrue();
        assertThat(transfer).isCompleted();
        cluster.scheduler().runUntil(() -> cluster.leader().equals(java.util.Optional.of(target)), 5000);
        assertThat(cluster.leader()).contains(target);
        replicateAll(cluster, 2);
        assertThat(cluster.history().violations()).isEmpty();
    }

    @Test
    void terminateFailsPendingWorkAndIsIdempotent() {
        SimCluster cluster = started(8, 3, CONFIG);
        NodeEndpoint leader = cluster.leader().orElseThrow();
        cluster.initialMembers().stream().filter(e -> !e.equals(leader)).forEach(cluster::crash);
        RaftGroup group = cluster.node(leader).group();
        CompletableFuture<Result> pending = group.replicate(RecordingStateMachine.command(5, 0));
        cluster.scheduler().runFor(10);

        CompletableFuture<Void> first = group.terminate();
        CompletableFuture<Void> second = group.terminate();
        cluster.scheduler().runFor(10);

        assertThat(first).isCompleted();
        assertThat(second).isSameAs(first);
        assertThat(group.isTerminated()).isTrue();
        assertThat(failure(pending)).isInstanceOf(GroupTerminatedException.class);
        CompletableFuture<Result> after = group.replicate(RecordingStateMachine.command(6, 0));
        assertThat(((RaftGroupException) failure(after)).code()).isEqualTo(RaftErrorCode.TERMINATED);
    }

    @Test
    void takesSnapshotsOnDemand() {
        SimCluster cluster = started(9, 3, CONFIG);
        replicateAll(cluster, 7);
        RaftGroup leader = leader(cluster);
        long applied = cluster.report(leader.localEndpoint()).orElseThrow().appliedIndex();

        CompletableFuture<Long> snapshot = leader.takeSnapshot();
        cluster.await(snapshot, 1000);

        assertThat(snapshot.join()).isEqualTo(applied);
        assertThat(cluster.report(leader.localEndpoint()).orElseThrow().snapshotIndex())
                .isEqualTo(applied);
    }
}
