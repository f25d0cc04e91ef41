package dev.aspen.kv;

import java.util.concurrent.CompletableFuture;

/**
 * The port through which a {@link KeyValueStore} reaches its replicated state machine. Commands and
 * queries are opaque encoded bytes produced by the store; the port carries them to a
 * {@link KvStateMachine} ({@code apply} for commands after they commit, {@code query} for reads)
 * and completes the future with whatever that call returned (a response record, or a
 * {@link KvException} value that the store turns into an exceptional completion).
 *
 * <p>Implementations must not block the caller. They complete futures exceptionally with a
 * {@link KvException}: {@code not_leader} (with the leader's id) when this node cannot propose,
 * {@code unavailable} when the group is stopped or the request timed out.
 */
public interface CommandLog {
    /** Replicates {@code command} and completes with the result of applying it on this node. */
    CompletableFuture<Object> propose(byte[] command);

    /** Runs {@code query} at the requested consistency and completes with its result. */
    CompletableFuture<Object> read(byte[] query, ReadConsistency consistency);
}
