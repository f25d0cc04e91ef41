package dev.aspen.consensus.internal;

import io.microraft.executor.RaftNodeExecutor;
import io.microraft.lifecycle.RaftNodeLifecycleAware;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one Raft member on one named daemon thread. On termination it stops at once: tasks already
 * queued run, delayed tasks are dropped, later submissions are discarded, and the thread ends (it
 * does not linger like MicroRaft's default executor, nor keep the JVM alive).
 */
public final class DaemonRaftExecutor implements RaftNodeExecutor, RaftNodeLifecycleAware {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonRaftExecutor.class);

    private final ScheduledThreadPoolExecutor executor;

    /** Creates the executor; its thread starts with the first task. */
    public DaemonRaftExecutor(String threadName) {
        executor = new ScheduledThreadPoolExecutor(
                1,
                task -> {
                    Thread thread = new Thread(task, threadName);
                    thread.setDaemon(true);
                    return thread;
                },
                (task, pool) -> LOG.debug("{}: dropped a task submitted after termination", threadName));
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(guarded(task));
    }

    @Override
    public void submit(Runnable task) {
        executor.execute(guarded(task));
    }

    @Override
    public void schedule(Runnable task, long delay, TimeUnit timeUnit) {
        executor.schedule(guarded(task), delay, timeUnit);
    }

    /** Stops accepting tasks and drops delayed ones; idempotent, never blocks. */
    @Override
    public void onRaftNodeTerminate() {
        executor.shutdown();
    }

    /** Waits up to {@code timeout} for the thread to end after termination (for tests). */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.error("Raft task failed", e);
            }
        };
    }
}
