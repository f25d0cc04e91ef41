package dev.aspen.consensus.internal;

import dev.aspen.consensus.CannotReplicateException;
import dev.aspen.consensus.GroupMembers;
import dev.aspen.consensus.GroupTerminatedException;
import dev.aspen.consensus.MembershipChangePendingException;
import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroup;
import dev.aspen.consensus.RaftGroupConfig;
import dev.aspen.consensus.RaftGroupException;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.consensus.RaftTransport;
import dev.aspen.consensus.ReadConsistency;
import dev.aspen.consensus.ReplicatedStateMachine;
import dev.aspen.consensus.Result;
import io.microraft.MembershipChangeMode;
import io.microraft.QueryPolicy;
import io.microraft.RaftConfig;
import io.microraft.RaftEndpoint;
import io.microraft.RaftNode;
import io.microraft.RaftNodeStatus;
import io.microraft.RaftRole;
import io.microraft.executor.RaftNodeExecutor;
import io.microraft.impl.RaftNodeImpl;
import io.microraft.model.message.AppendEntriesRequest;
import io.microraft.model.message.InstallSnapshotRequest;
import io.microraft.model.message.RaftMessage;
import io.microraft.persistence.RaftStore;
import io.microraft.persistence.RestoredRaftState;
import io.microraft.report.RaftNodeReport;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link RaftGroup} on a MicroRaft {@link RaftNode}. */
public final class RaftGroupImpl implements RaftGroup {
    private static final Logger LOG = LoggerFactory.getLogger(RaftGroupImpl.class);

    /** Everything a member needs, validated by {@link RaftGroup.Builder}. */
    public record Settings(
            String groupId,
            NodeEndpoint localEndpoint,
            RaftGroupConfig config,
            ReplicatedStateMachine stateMachine,
            RaftTransport transport,
            RaftStore store,
            RaftNodeExecutor executor,
            Clock clock,
            Random random,
            Consumer<RaftGroupReport> reportListener) {}

    private final Settings settings;
    private final CountingExecutor executor;
    private final StateMachineAdapter adapter;
    private final RaftNode node;
    /** Futures handed out and not completed yet, each with how to end it on termination. */
    private final Map<CompletableFuture<?>, Consumer<String>> pending = new ConcurrentHashMap<>();

    private final AtomicBoolean membershipChangeInFlight = new AtomicBoolean();
    private final AtomicBoolean terminating = new AtomicBoolean();
    private final AtomicLong droppedMessages = new AtomicLong();
    // Raft thread only (reports are published there): the role and term of the last report.
    private RaftRole lastReportedRole;
    private int lastReportedTerm = -1;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    private RaftGroupImpl(Settings s, List<NodeEndpoint> initialMembers, RestoredRaftState restored) {
        this.settings = s;
        RaftNodeExecutor base = s.executor() != null ? s.executor() : new DaemonRaftExecutor(threadName(s));
        this.executor = new CountingExecutor(base);
        this.adapter = new StateMachineAdapter(
                s.stateMachine(), s.config().snapshotChunkBytes(), () -> executor.submit(this::terminate));
        RaftNode.RaftNodeBuilder builder = RaftNode.newBuilder()
                .setGroupId(s.groupId())
                .setConfig(raftConfig(s.config()))
                .setExecutor(executor)
                .setTransport(new TransportAdapter(s.transport()))
                .setStateMachine(adapter)
                .setRaftNodeReportListener(this::onReport)
                .setRandom(s.random())
                .setClock(s.clock());
        if (s.store() != null) {
            builder.setStore(s.store());
        }
        if (restored != null) {
            builder.setRestoredState(restored);
        } else {
            builder.setLocalEndpoint(s.localEndpoint())
                    .setInitialGroupMembers(new ArrayList<RaftEndpoint>(initialMembers));
        }
        this.node = builder.build();
    }

    /** Builds the member and starts it asynchronously on its Raft thread. */
    public static RaftGroup start(Settings settings, List<NodeEndpoint> initialMembers, RestoredRaftState restored) {
        RaftGroupImpl group = new RaftGroupImpl(settings, initialMembers, restored);
        group.node.start().whenComplete((ignored, failure) -> {
            if (failure != null) {
                LOG.error("{}/{}: could not start", settings.groupId(), settings.localEndpoint(), failure);
                group.onNodeTerminated();
            }
        });
        return group;
    }

    private static String threadName(Settings s) {
        String node = s.localEndpoint().toString();
        return "aspen-raft-" + s.groupId() + "-" + node.substring(0, Math.min(8, node.length()));
    }

    static RaftConfig raftConfig(RaftGroupConfig c) {
        return RaftConfig.newBuilder()
                .setLeaderElectionTimeoutMillis(c.leaderElectionTimeout().toMillis())
                .setLeaderHeartbeatPeriodSecs(c.leaderHeartbeatPeriod().toSeconds())
                .setLeaderHeartbeatTimeoutSecs(c.leaderHeartbeatTimeout().toSeconds())
                .setAppendEntriesRequestBatchSize(c.appendEntriesBatchSize())
                .setCommitCountToTakeSnapshot(c.commitCountToTakeSnapshot())
                .setMaxPendingLogEntryCount(c.maxPendingLogEntries())
                .setTransferSnapshotsFromFollowersEnabled(true)
                .setRaftNodeReportPublishPeriodSecs((int) c.reportPeriod().toSeconds())
                .build();
    }

    @Override
    public String groupId() {
        return settings.groupId();
    }

    @Override
    public NodeEndpoint localEndpoint() {
        return settings.localEndpoint();
    }

    @Override
    public CompletableFuture<Result> replicate(byte[] command) {
        Objects.requireNonNull(command, "command");
        return call(() -> node.<Object>replicate(command), r -> new Result(r.getCommitIndex(), r.getResult()));
    }

    @Override
    public CompletableFuture<Result> query(byte[] query, ReadConsistency consistency) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(consistency, "consistency");
        if (consistency instanceof ReadConsistency.Stale stale) {
            return call(
                    () -> node.query(
                            new QueryOperation(query, false),
                            QueryPolicy.EVENTUAL_CONSISTENCY,
                            Optional.of(stale.minIndex()),
                            Optional.of(settings.config().staleReadWait())),
                    r -> new Result(r.getCommitIndex(), r.getResult()));
        }
        if (consistency instanceof ReadConsistency.Lease) {
            // The adapter answers LeaseNotReadyException (as the query's value) while this leader has
            // not applied the entries it was elected with; such a read is served linearizably.
            return call(
                            () -> node.query(
                                    new QueryOperation(query, true),
                                    QueryPolicy.LEADER_LEASE,
                                    Optional.empty(),
                                    Optional.empty()),
                            r -> new Result(r.getCommitIndex(), r.getResult()))
                    .thenCompose(result -> result.value() instanceof LeaseNotReadyException
                            ? query(query, ReadConsistency.linearizable())
                            : CompletableFuture.completedFuture(result));
        }
        return call(
                () -> node.query(
                        new QueryOperation(query, false), QueryPolicy.LINEARIZABLE, Optional.empty(), Optional.empty()),
                r -> new Result(r.getCommitIndex(), r.getResult()));
    }

    @Override
    public CompletableFuture<GroupMembers> addLearner(NodeEndpoint endpoint) {
        return changeMembership(endpoint, MembershipChangeMode.ADD_LEARNER);
    }

    @Override
    public CompletableFuture<GroupMembers> promote(NodeEndpoint endpoint) {
        return changeMembership(endpoint, MembershipChangeMode.ADD_OR_PROMOTE_TO_FOLLOWER);
    }

    @Override
    public CompletableFuture<GroupMembers> remove(NodeEndpoint endpoint) {
        return changeMembership(endpoint, MembershipChangeMode.REMOVE_MEMBER);
    }

    private CompletableFuture<GroupMembers> changeMembership(NodeEndpoint endpoint, MembershipChangeMode mode) {
        Objects.requireNonNull(endpoint, "endpoint");
        if (!membershipChangeInFlight.compareAndSet(false, true)) {
            return CompletableFuture.failedFuture(new MembershipChangePendingException(
                    "another membership change requested on this member is still in progress"));
        }
        CompletableFuture<GroupMembers> result = call(
                () -> {
                    long committed = node.getCommittedMembers().getLogIndex();
                    long effective = node.getEffectiveMembers().getLogIndex();
                    if (effective != committed) {
                        throw new MembershipChangePendingException("the membership change at index " + effective
                                + " is not committed yet (committed members are at index " + committed + ")");
                    }
                    return node.changeMembership(endpoint, mode, committed);
                },
                r -> Reports.members(r.getResult()));
        CompletableFuture<GroupMembers> out = new CompletableFuture<>();
        result.whenComplete((members, failure) -> {
            membershipChangeInFlight.set(false);
            if (failure == null) {
                out.complete(members);
            } else if (failure instanceof CannotReplicateException
                    && node.getStatus() == RaftNodeStatus.UPDATING_RAFT_GROUP_MEMBER_LIST) {
                out.completeExceptionally(
                        new MembershipChangePendingException("a membership change is not committed yet"));
            } else {
                out.completeExceptionally(failure);
            }
        });
        return out;
    }

    @Override
    public CompletableFuture<Void> transferLeadership(NodeEndpoint endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        return call(() -> node.transferLeadership(endpoint), r -> null);
    }

    @Override
    public CompletableFuture<Long> takeSnapshot() {
        return call(
                node::takeSnapshot,
                r -> r.getResult() != null ? r.getResult().getLog().getLastSnapshotIndex() : r.getCommitIndex());
    }

    @Override
    public List<NodeEndpoint> initialMembers() {
        return Reports.members(node.getInitialMembers()).members();
    }

    @Override
    public CompletableFuture<RaftGroupReport> report() {
        return call(node::getReport, r -> Reports.report(groupId(), r.getResult(), adapter.appliedIndex()));
    }

    @Override
    public void handle(RaftMessage message) {
        Objects.requireNonNull(message, "message");
        if (terminating.get() || terminated.isDone() || !groupId().equals(message.getGroupId())) {
            return;
        }
        if (executor.queued() >= settings.config().maxQueuedTasks()) {
            long dropped = droppedMessages.incrementAndGet();
            if (dropped % 1000 == 1) {
                LOG.warn(
                        "{}/{}: Raft queue full, dropped {} inbound messages so far",
                        groupId(),
                        localEndpoint(),
                        dropped);
            }
            return;
        }
        try {
            if (message instanceof AppendEntriesRequest request && node instanceof RaftNodeImpl impl) {
                executor.execute(() -> node.handle(MicroRaftWorkarounds.appendEntries(impl, request)));
            } else if (message instanceof InstallSnapshotRequest request && node instanceof RaftNodeImpl impl) {
                executor.execute(() -> node.handle(MicroRaftWorkarounds.installSnapshot(impl, request)));
            } else {
                node.handle(message);
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("{}/{}: dropped an invalid message {}", groupId(), localEndpoint(), message, e);
        }
    }

    /** Inbound messages dropped because the queue was full. */
    public long droppedMessages() {
        return droppedMessages.get();
    }

    @Override
    public CompletableFuture<Void> terminate() {
        if (terminating.compareAndSet(false, true)) {
            failPending("the group member was terminated");
            try {
                node.terminate().whenComplete((r, e) -> onNodeTerminated());
            } catch (RuntimeException e) {
                LOG.warn("{}/{}: terminate failed", groupId(), localEndpoint(), e);
                onNodeTerminated();
            }
        }
        return terminated;
    }

    @Override
    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    @Override
    public boolean isTerminated() {
        return terminating.get() || terminated.isDone();
    }

    private void onReport(RaftNodeReport report) {
        if (report.getRole() == RaftRole.LEADER
                && (lastReportedRole != RaftRole.LEADER
                        || lastReportedTerm != report.getTerm().getTerm())) {
            adapter.leaderElected(report.getLog().getLastLogOrSnapshotIndex());
        }
        lastReportedRole = report.getRole();
        lastReportedTerm = report.getTerm().getTerm();
        try {
            settings.reportListener().accept(Reports.report(groupId(), report, adapter.appliedIndex()));
        } catch (RuntimeException e) {
            LOG.warn("{}/{}: report listener failed", groupId(), localEndpoint(), e);
        }
        if (report.getStatus() == RaftNodeStatus.TERMINATED) {
            onNodeTerminated();
        }
    }

    /** Runs when the node is terminated by us, by its removal or by a failure; idempotent. */
    private void onNodeTerminated() {
        if (terminated.isDone()) {
            return;
        }
        terminating.set(true);
        failPending("the group member is terminated (removed from the group, stopped or failed)");
        executor.onRaftNodeTerminate();
        terminated.complete(null);
    }

    private void failPending(String reason) {
        pending.values().forEach(terminator -> terminator.accept(reason));
    }

    private <T, R> CompletableFuture<R> call(Supplier<CompletableFuture<T>> operation, Function<T, R> mapper) {
        CompletableFuture<R> out = new CompletableFuture<>();
        if (isTerminated()) {
            out.completeExceptionally(new GroupTerminatedException("the group member is terminated"));
            return out;
        }
        if (executor.queued() >= settings.config().maxQueuedTasks()) {
            out.completeExceptionally(new CannotReplicateException(
                    "the Raft queue is full (" + settings.config().maxQueuedTasks() + " tasks)", null));
            return out;
        }
        AtomicReference<CompletableFuture<T>> inner = new AtomicReference<>();
        pending.put(out, reason -> endOnTermination(out, inner.get(), reason, mapper));
        out.whenComplete((r, e) -> pending.remove(out));
        try {
            CompletableFuture<T> future = operation.get();
            inner.set(future);
            future.whenComplete((value, failure) -> complete(out, value, failure, mapper));
            if (isTerminated()) {
                endOnTermination(out, future, "the group member is terminated", mapper);
            }
        } catch (RuntimeException e) {
            out.completeExceptionally(Errors.map(e));
        }
        return out;
    }

    /**
     * Ends {@code out} when the member terminates: with MicroRaft's outcome if it already has one
     * (termination may overtake the callback registration), else with {@code terminated}. Does
     * nothing while {@code inner} is unknown: the caller's thread then ends {@code out} itself
     * after it sees the member terminated (both sides publish before they read).
     */
    private static <T, R> void endOnTermination(
            CompletableFuture<R> out, CompletableFuture<T> inner, String reason, Function<T, R> mapper) {
        if (inner == null) {
            return;
        }
        if (inner.isDone()) {
            inner.whenComplete((value, failure) -> complete(out, value, failure, mapper));
        } else {
            out.completeExceptionally(new GroupTerminatedException(reason));
        }
    }

    private static <T, R> void complete(CompletableFuture<R> out, T value, Throwable failure, Function<T, R> mapper) {
        if (failure != null) {
            out.completeExceptionally(Errors.map(failure));
            return;
        }
        try {
            out.complete(mapper.apply(value));
        } catch (RaftGroupException e) {
            out.completeExceptionally(e);
        } catch (RuntimeException e) {
            out.completeExceptionally(Errors.map(e));
        }
    }
}
