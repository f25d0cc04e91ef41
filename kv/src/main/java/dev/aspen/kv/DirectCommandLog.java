package dev.aspen.kv;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A single-node {@link CommandLog} with no replication: every command is applied at once, in
 * submission order, on one daemon thread ({@code aspen-kv-direct}) that also serves every read, so
 * all reads are linearizable. For tests, benchmarks and embedding without a group. After {@link
 * #close()} futures fail with {@code unavailable}.
 */
public final class DirectCommandLog implements CommandLog, AutoCloseable {
    private final KvStateMachine machine;
    private final ExecutorService thread;
    private long nextIndex;

    /** Drives {@code machine}, continuing after its applied index. */
    public DirectCommandLog(KvStateMachine machine) {
        this.machine = machine;
        this.nextIndex = machine.appliedIndex() + 1;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "aspen-kv-direct");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public CompletableFuture<Object> propose(byte[] command) {
        return submit(() -> machine.apply(nextIndex++, command));
    }

    @Override
    public CompletableFuture<Object> read(byte[] query, ReadConsistency consistency) {
        return submit(() -> machine.query(query));
    }

    /** Runs {@code task} on the apply thread (for example to read the revision or snapshot safely). */
    public <T> CompletableFuture<T> submit(Supplier<T> task) {
        try {
            return CompletableFuture.supplyAsync(task, thread);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(KvException.of(ErrorCode.UNAVAILABLE, "command log is closed"));
        }
    }

    /** Stops the thread after the queued work; waits up to 10 s. Does not close the machine. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
