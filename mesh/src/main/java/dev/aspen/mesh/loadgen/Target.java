package dev.aspen.mesh.loadgen;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * One connection to the store under test, as the load generator drives it. Every operation returns
 * at once without blocking and may be called from any thread with many calls outstanding; its
 * future completes when the store has answered, or exceptionally with the store's error. Methods do
 * not throw: a refused call is a failed future. {@link #close()} releases the connection and may
 * block until it is closed.
 */
public interface Target extends AutoCloseable {
    /** Sets {@code key} to {@code value}. */
    CompletableFuture<?> put(byte[] key, byte[] value);

    /** Reads {@code key} at {@code consistency}; an absent key is a successful read. */
    CompletableFuture<?> get(byte[] key, Consistency consistency);

    /**
     * One transaction that compares {@code key}'s version with a condition that always holds and
     * then sets {@code key} to {@code value}: the cost of the transaction path with one write.
     */
    CompletableFuture<?> txn(byte[] key, byte[] value);

    /**
     * Watches every key under {@code prefix} from the next revision on. {@code onPut} receives the
     * key and value of every put, on the store's delivery thread: it must return quickly. The
     * future completes with the handle that ends the watch once the watch is registered.
     */
    CompletableFuture<AutoCloseable> watch(byte[] prefix, BiConsumer<byte[], byte[]> onPut);

    /**
     * The short stable name an operation failure is counted under: the store's error code where it
     * has one ({@code not_leader}, {@code unavailable}, ...), {@code timeout} for an operation the
     * load generator timed out, else the exception's class name. Never throws.
     */
    default String errorCode(Throwable failure) {
        Throwable cause = unwrap(failure);
        return cause instanceof TimeoutException ? "timeout" : cause.getClass().getSimpleName();
    }

    /** Closes the connection; never throws. */
    @Override
    void close();

    /** The cause inside the wrappers futures add. */
    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Opens one connection; the load generator opens one per client. */
    @FunctionalInterface
    interface Factory {
        /** Opens a connection; may block while connecting; throws when it cannot connect. */
        Target open() throws Exception;
    }
}
