package dev.aspen.consensus;

import dev.aspen.consensus.internal.RaftGroupImpl;
import io.microraft.executor.RaftNodeExecutor;
import io.microraft.model.message.RaftMessage;
import io.microraft.persistence.RaftStore;
import io.microraft.persistence.RestoredRaftState;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One member of a Raft group: replicates opaque commands to a {@link ReplicatedStateMachine} on
 * every member. Build with {@link #builder(String, NodeEndpoint)}.
 *
 * <p>Threading: every method may be called from any thread, returns promptly and never blocks.
 * Work runs on the member's single Raft thread; returned futures complete there, so callers must
 * not block inside their callbacks. Futures fail only with {@link RaftGroupException} (or a
 * subclass); MicroRaft's exceptions never escape.
 */
public interface RaftGroup {

    /** Maximum number of initial members (Raft groups larger than this are not useful). */
    int MAX_INITIAL_MEMBERS = 15;

    /** Maximum length of a group id. */
    int MAX_GROUP_ID_LENGTH = 64;

    /** Starts building member {@code localEndpoint} of the group {@code groupId}. */
    static Builder builder(String groupId, NodeEndpoint localEndpoint) {
        return new Builder(groupId, localEndpoint);
    }

    /** The group id. */
    String groupId();

    /** This member's endpoint. */
    NodeEndpoint localEndpoint();

    /**
     * Replicates {@code command} through the leader and applies it on every member. The caller must
     * not modify the array afterwards.
     *
     * @return completes with the commit index and this node's {@link ReplicatedStateMachine#apply}
     *     result once applied here; fails with {@link NotLeaderException} on a follower, {@link
     *     CannotReplicateException} when too many entries are pending, {@link
     *     IndeterminateStateException} when leadership was lost after appending, {@link
     *     GroupTerminatedException} after {@link #terminate()}
     */
    CompletableFuture<Result> replicate(byte[] command);

    /**
     * Runs {@code query} against the state machine with the given freshness.
     *
     * @return completes with the observed commit index and the query result; fails with {@link
     *     NotLeaderException} (linearizable/lease on a non-leader), {@link LaggingIndexException}
     *     (stale read not caught up in time) or {@link CannotReplicateException}
     */
    CompletableFuture<Result> query(byte[] query, ReadConsistency consistency);

    /**
     * Adds {@code endpoint} as a learner (a non-voting member that receives the log). The joiner
     * must have been started with {@link Builder#join} and the group's initial member list. Only
     * one membership change may be in progress; call on the leader.
     *
     * @return the committed member list; fails with {@link MembershipChangePendingException} when
     *     another change is in progress, {@link NotLeaderException} on a follower, or {@link
     *     RaftGroupException} {@code invalid_argument} when the endpoint is already a member or two
     *     learners exist already
     */
    CompletableFuture<GroupMembers> addLearner(NodeEndpoint endpoint);

    /**
     * Promotes learner {@code endpoint} to a voting member. Check first, with {@link #report()},
     * that it has caught up, or the quorum grows by a member that cannot yet vote usefully.
     *
     * @return as {@link #addLearner}
     */
    CompletableFuture<GroupMembers> promote(NodeEndpoint endpoint);

    /**
     * Removes {@code endpoint} (voter or learner). MicroRaft stops talking to a removed member once
     * the change commits, so the removed member usually never learns the commit: when this future
     * completes, the caller must tell the removed node to {@link #terminate()} (it terminates by
     * itself only if it happened to apply the change).
     *
     * @return as {@link #addLearner}
     */
    CompletableFuture<GroupMembers> remove(NodeEndpoint endpoint);

    /**
     * Asks the leader to hand leadership to voting member {@code endpoint}.
     *
     * @return completes when {@code endpoint} became leader; fails with {@code timeout} if it did
     *     not happen within the election timeout
     */
    CompletableFuture<Void> transferLeadership(NodeEndpoint endpoint);

    /**
     * Takes a snapshot of the state machine now (normally taken every {@link
     * RaftGroupConfig#commitCountToTakeSnapshot()} entries).
     *
     * @return the index of the latest snapshot (unchanged if nothing new was applied)
     */
    CompletableFuture<Long> takeSnapshot();

    /** A report read on the Raft thread; fails with {@link GroupTerminatedException} once terminated. */
    CompletableFuture<RaftGroupReport> report();

    /**
     * The group's initial voting members, as given to {@link Builder#startNew}/{@link Builder#join}
     * or recovered by {@link Builder#restart}. A node joining the group must be started with them.
     * Never changes; never blocks.
     */
    List<NodeEndpoint> initialMembers();

    /**
     * Passes a message received from another member to this one. Never blocks: the message is
     * queued for the Raft thread, or dropped when the group is terminated or its queue is full (Raft
     * tolerates loss).
     */
    void handle(RaftMessage message);

    /**
     * Stops this member: pending futures fail with {@link GroupTerminatedException} (unless their
     * outcome was already known; a pending command may still have been committed by the others),
     * delayed tasks are dropped and the Raft thread ends promptly. Idempotent. The store is not closed: its owner
     * closes it after {@link #terminated()} completes.
     *
     * @return {@link #terminated()}
     */
    CompletableFuture<Void> terminate();

    /**
     * Completes once this member is terminated: by {@link #terminate()}, by being removed from the
     * group, or by a state machine failure. Never fails.
     */
    CompletableFuture<Void> terminated();

    /** Whether this member has terminated (or is terminating). */
    boolean isTerminated();

    /**
     * Settings of a member before it starts. {@link #startNew}, {@link #join} and {@link #restart}
     * build the member and start it (asynchronously, on its Raft thread).
     */
    final class Builder {
        private final String groupId;
        private final NodeEndpoint localEndpoint;
        private RaftGroupConfig config = RaftGroupConfig.defaults();
        private ReplicatedStateMachine stateMachine;
        private RaftTransport transport;
        private RaftStore store;
        private RaftNodeExecutor executor;
        private Clock clock = MonotonicClock.INSTANCE;
        private Random random;
        private Consumer<RaftGroupReport> reportListener = report -> {};

        private Builder(String groupId, NodeEndpoint localEndpoint) {
            this.groupId = groupId;
            this.localEndpoint = localEndpoint;
        }

        /** Timing and limits; default {@link RaftGroupConfig#defaults()}. */
        public Builder config(RaftGroupConfig value) {
            config = Objects.requireNonNull(value, "config");
            return this;
        }

        /** The application's state machine (required). */
        public Builder stateMachine(ReplicatedStateMachine value) {
            stateMachine = Objects.requireNonNull(value, "stateMachine");
            return this;
        }

        /** The outbound transport (required). */
        public Builder transport(RaftTransport value) {
            transport = Objects.requireNonNull(value, "transport");
            return this;
        }

        /**
         * Where Raft state is persisted (for example the durable write-ahead log). Without one the
         * member keeps everything in memory and cannot {@link #restart}.
         */
        public Builder store(RaftStore value) {
            store = Objects.requireNonNull(value, "store");
            return this;
        }

        /**
         * The executor running the member's Raft thread. Default: one named daemon thread that ends
         * when the member terminates. The simulator passes a virtual-time executor. A given executor
         * should implement {@code RaftNodeLifecycleAware} to release itself on termination.
         */
        public Builder executor(RaftNodeExecutor value) {
            executor = Objects.requireNonNull(value, "executor");
            return this;
        }

        /**
         * The clock for heartbeat and lease bookkeeping; default a monotonic clock
         * ({@code System.nanoTime()}), so setting or stepping the wall clock cannot extend a lease
         * or trigger an election. Pass the wall clock only in tests that mean to show why not.
         */
        public Builder clock(Clock value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** The random source for election jitter; default a new unseeded {@link Random}. */
        public Builder random(Random value) {
            random = Objects.requireNonNull(value, "random");
            return this;
        }

        /**
         * Receives a report on every role, status and membership change and periodically. Called on
         * the Raft thread: must not block and should not throw.
         */
        public Builder reportListener(Consumer<RaftGroupReport> value) {
            reportListener = Objects.requireNonNull(value, "reportListener");
            return this;
        }

        /**
         * Builds and starts a member of a new group whose initial voting members are {@code
         * initialMembers} (which must include this member). Every initial member must be started
         * with the same list.
         */
        public RaftGroup startNew(Collection<NodeEndpoint> initialMembers) {
            List<NodeEndpoint> members = validMembers(initialMembers);
            if (!members.contains(localEndpoint)) {
                throw new IllegalArgumentException(
                        "initialMembers must contain the local endpoint " + localEndpoint + ", got " + members);
            }
            return RaftGroupImpl.start(settings(), members, null);
        }

        /**
         * Builds and starts a member that will join an existing group: it waits, silent, until the
         * leader adds it ({@link RaftGroup#addLearner}). {@code initialMembers} is the group's
         * <i>initial</i> member list (not the current one), which must not include this member.
         */
        public RaftGroup join(Collection<NodeEndpoint> initialMembers) {
            List<NodeEndpoint> members = validMembers(initialMembers);
            if (members.contains(localEndpoint)) {
                throw new IllegalArgumentException("initialMembers must not contain the joining endpoint "
                        + localEndpoint + "; use startNew for an initial member");
            }
            return RaftGroupImpl.start(settings(), members, null);
        }

        /**
         * Builds and starts a member from the state its {@link #store} recovered. The store must be
         * the one that state was read from, so new writes continue it.
         */
        public RaftGroup restart(RestoredRaftState restoredState) {
            Objects.requireNonNull(restoredState, "restoredState");
            if (store == null) {
                throw new IllegalStateException("store must be set to restart from a restored state");
            }
            Object restoredEndpoint =
                    restoredState.getLocalEndpointPersistentState().getLocalEndpoint();
            if (!localEndpoint.equals(restoredEndpoint)) {
                throw new IllegalArgumentException("restoredState belongs to " + restoredEndpoint
                        + ", not to the local endpoint " + localEndpoint);
            }
            return RaftGroupImpl.start(settings(), List.of(), restoredState);
        }

        private RaftGroupImpl.Settings settings() {
            if (groupId == null || groupId.isEmpty() || groupId.length() > MAX_GROUP_ID_LENGTH) {
                throw new IllegalArgumentException(
                        "groupId must be 1 to " + MAX_GROUP_ID_LENGTH + " characters, got " + groupId);
            }
            Objects.requireNonNull(localEndpoint, "localEndpoint");
            if (stateMachine == null) {
                throw new IllegalStateException("stateMachine must be set");
            }
            if (transport == null) {
                throw new IllegalStateException("transport must be set");
            }
            return new RaftGroupImpl.Settings(
                    groupId,
                    localEndpoint,
                    config,
                    stateMachine,
                    transport,
                    store,
                    executor,
                    clock,
                    random == null ? new Random() : random,
                    reportListener);
        }

        private static List<NodeEndpoint> validMembers(Collection<NodeEndpoint> initialMembers) {
            Objects.requireNonNull(initialMembers, "initialMembers");
            List<NodeEndpoint> members = List.copyOf(initialMembers);
            if (members.isEmpty() || members.size() > MAX_INITIAL_MEMBERS) {
                throw new IllegalArgumentException(
                        "initialMembers must have 1 to " + MAX_INITIAL_MEMBERS + " members, got " + members.size());
            }
            if (members.stream().distinct().count() != members.size()) {
                throw new IllegalArgumentException("initialMembers has duplicates: " + members);
            }
            return members;
        }
    }
}
