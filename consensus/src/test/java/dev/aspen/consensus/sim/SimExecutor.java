package dev.aspen.consensus.sim;

import io.microraft.executor.RaftNodeExecutor;
import io.microraft.lifecycle.RaftNodeLifecycleAware;
import java.util.concurrent.TimeUnit;

/**
 * A {@link RaftNodeExecutor} for one incarnation of a simulated node: tasks become events of the
 * shared {@link SimScheduler}. {@link #crash()} drops every queued and future task at once (the
 * process died); termination, like the real executor, lets queued tasks run and drops delayed ones.
 */
public final class SimExecutor implements RaftNodeExecutor, RaftNodeLifecycleAware {
    private final SimScheduler scheduler;
    private boolean crashed;
    private boolean terminated;

    /** An executor whose tasks run on {@code scheduler}. */
    public SimExecutor(SimScheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public void execute(Runnable task) {
        submit(task);
    }

    @Override
    public void submit(Runnable task) {
        if (crashed || terminated) {
            return;
        }
        scheduler.after(0, () -> {
            if (!crashed) {
                task.run();
            }
        });
    }

    @Override
    public void schedule(Runnable task, long delay, TimeUnit timeUnit) {
        if (crashed || terminated) {
            return;
        }
        scheduler.after(timeUnit.toNanos(delay), () -> {
            if (!crashed && !terminated) {
                task.run();
            }
        });
    }

    @Override
    public void onRaftNodeTerminate() {
        terminated = true;
    }

    /** Simulates a process crash: nothing of this incarnation runs any more. */
    public void crash() {
        crashed = true;
    }

    /** Whether this incarnation was terminated (not crashed). */
    public boolean isTerminated() {
        return terminated;
    }
}
