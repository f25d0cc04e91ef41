package dev.aspen.consensus;

import java.util.List;
import java.util.function.Consumer;

/**
 * The application's deterministic state machine, driven by a Raft group. Commands and snapshot
 * chunks are opaque bytes to consensus; only the application knows their meaning.
 *
 * <p>All methods are called on the group's single Raft thread, one at a time, so implementations
 * need no locking against each other. They must not block on the network and should return
 * quickly: while they run, the node neither replicates nor sends heartbeats.
 *
 * <p>Determinism: the same sequence of {@link #apply} and {@link #installSnapshot} calls must give
 * the same state on every node. Nothing here may read a clock, a random source or the network.
 *
 * <p>Restart: after a restart the group may replay a snapshot and log entries the state machine
 * already reflects (for example when its persisted state survived a clean shutdown). Calls whose
 * index is at or below {@link #appliedIndex()} must be ignored.
 */
public interface ReplicatedStateMachine {
    /**
     * Applies the committed command at {@code index}. Indexes arrive in increasing order.
     *
     * @return the result handed to the proposer's future on this node (never serialized)
     * @throws RuntimeException only for a bug or a local storage failure; the group then stops
     *     rather than diverge from its peers. Invalid commands must instead return an error value.
     */
    Object apply(long index, byte[] command);

    /**
     * Runs a read-only query against the current state. Must not change state.
     *
     * @return the result handed to the caller
     */
    Object query(byte[] query);

    /**
     * Writes the state as of {@code index} as a sequence of chunks, each at most {@code
     * maxChunkBytes} long. {@code index} is at least {@link #appliedIndex()}: entries after the last
     * applied command were the group's own (a new term, a membership change) and did not change the
     * state, which from then on counts as reflecting {@code index}. Runs on the Raft thread: it must not hold it for seconds on a
     * large state.
     */
    void takeSnapshot(long index, int maxChunkBytes, Consumer<byte[]> chunks);

    /**
     * Replaces the whole state with the snapshot taken at {@code index}, atomically: on return the
     * state is exactly the snapshot's, and a failure leaves no mix of old and new state.
     */
    void installSnapshot(long index, List<byte[]> chunks);

    /** The index of the last applied command or installed snapshot (0 for an empty state). */
    long appliedIndex();
}
