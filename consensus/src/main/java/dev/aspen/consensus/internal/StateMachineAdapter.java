package dev.aspen.consensus.internal;

import dev.aspen.consensus.GroupTerminatedException;
import dev.aspen.consensus.NewTermOperation;
import dev.aspen.consensus.RaftErrorCode;
import dev.aspen.consensus.RaftGroupException;
import dev.aspen.consensus.ReplicatedStateMachine;
import io.microraft.impl.statemachine.InternalCommitAware;
import io.microraft.statemachine.StateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adapts the application's {@link ReplicatedStateMachine} to MicroRaft: commands are {@code
 * byte[]}, queries arrive wrapped in {@link QueryOperation}, the {@link NewTermOperation} is
 * swallowed, snapshot chunks are {@code byte[]} of at most the configured size.
 *
 * <p>MicroRaft logs and continues when an operation throws; Aspen must not (a node that skipped a
 * command has diverged). The first failure therefore poisons the adapter: no later command reaches
 * the application, every later future fails with {@code internal}, and {@code onFailure} is run
 * (it must only queue the termination, so the failing command's future still fails with the
 * cause). All methods run on the Raft thread.
 */
final class StateMachineAdapter implements StateMachine, InternalCommitAware {
    private static final Logger LOG = LoggerFactory.getLogger(StateMachineAdapter.class);

    private final ReplicatedStateMachine app;
    private final int maxChunkBytes;
    private final Runnable onFailure;
    private volatile long appliedIndex;
    // Raft thread only: the last log index this member had when it last became leader.
    private long leaseReadFloor;
    private RaftGroupException failure;

    StateMachineAdapter(ReplicatedStateMachine app, int maxChunkBytes, Runnable onFailure) {
        this.app = app;
        this.maxChunkBytes = maxChunkBytes;
        this.onFailure = onFailure;
    }

    /** The highest index applied here, including internal entries and installed snapshots. */
    long appliedIndex() {
        return appliedIndex;
    }

    /**
     * Called on the Raft thread when this member becomes leader with {@code lastLogIndex} entries.
     * Every entry its predecessors acknowledged is among them, but it may not have applied them
     * yet; MicroRaft's lease read does not wait for that, so lease reads wait here until it has.
     */
    void leaderElected(long lastLogIndex) {
        leaseReadFloor = lastLogIndex;
    }

    @Override
    public Object runOperation(long commitIndex, Object operation) {
        if (operation instanceof QueryOperation query) {
            if (failure != null) {
                throw new GroupTerminatedException("the state machine failed: " + failure.getMessage());
            }
            if (query.lease() && appliedIndex < leaseReadFloor) {
                return new LeaseNotReadyException(appliedIndex, leaseReadFloor);
            }
            return app.query(query.query());
        }
        appliedIndex = commitIndex;
        if (failure != null) {
            return failure;
        }
        if (operation == NewTermOperation.INSTANCE) {
            return null;
        }
        if (!(operation instanceof byte[] command)) {
            return fail(
                    commitIndex,
                    new IllegalStateException("unknown operation type "
                            + operation.getClass().getName() + " in the log at index " + commitIndex));
        }
        try {
            return app.apply(commitIndex, command);
        } catch (RuntimeException e) {
            return fail(commitIndex, e);
        }
    }

    @Override
    public void onInternalCommit(long commitIndex) {
        appliedIndex = commitIndex;
    }

    @Override
    public void takeSnapshot(long commitIndex, Consumer<Object> chunkConsumer) {
        app.takeSnapshot(commitIndex, maxChunkBytes, chunk -> {
            if (chunk == null || chunk.length > maxChunkBytes) {
                throw new IllegalStateException("snapshot chunk at index " + commitIndex + " is "
                        + (chunk == null ? "null" : chunk.length + " bytes") + ", the limit is " + maxChunkBytes);
            }
            chunkConsumer.accept(chunk);
        });
    }

    @Override
    public void installSnapshot(long commitIndex, List<Object> snapshotChunks) {
        List<byte[]> chunks = new ArrayList<>(snapshotChunks.size());
        for (Object chunk : snapshotChunks) {
            if (!(chunk instanceof byte[] bytes)) {
                throw new IllegalStateException("snapshot chunk at index " + commitIndex + " is a "
                        + (chunk == null ? "null" : chunk.getClass().getName()) + ", expected byte[]");
            }
            chunks.add(bytes);
        }
        app.installSnapshot(commitIndex, chunks);
        appliedIndex = commitIndex;
    }

    @Override
    public Object getNewTermOperation() {
        return NewTermOperation.INSTANCE;
    }

    private RaftGroupException fail(long index, RuntimeException cause) {
        LOG.error("State machine failed at index {}; terminating the group member", index, cause);
        failure = new RaftGroupException(
                RaftErrorCode.INTERNAL, "the state machine failed at index " + index + ": " + cause, cause);
        onFailure.run();
        return failure;
    }
}
