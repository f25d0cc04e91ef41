package dev.aspen.consensus.internal;

import io.microraft.executor.RaftNodeExecutor;
import io.microraft.lifecycle.RaftNodeLifecycleAware;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a member's executor to count tasks queued from outside the Raft thread (inbound messages
 * and API calls go through {@link #execute}), so the group can bound its queue, and to release the
 * executor exactly once.
 */
final class CountingExecutor implements RaftNodeExecutor, RaftNodeLifecycleAware {
    private final RaftNodeExecutor delegate;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();

    CountingExecutor(RaftNodeExecutor delegate) {
        this.delegate = delegate;
    }

    int queued() {
        return queued.get();
    }

    @Override
    public void execute(Runnable task) {
        queued.incrementAndGet();
        delegate.execute(() -> {
            queued.decrementAndGet();
            task.run();
        });
    }

    @Override
    public void submit(Runnable task) {
        delegate.submit(task);
    }

    @Override
    public void schedule(Runnable task, long delay, TimeUnit timeUnit) {
        delegate.schedule(task, delay, timeUnit);
    }

    @Override
    public void onRaftNodeStart() {
        if (started.compareAndSet(false, true) && delegate instanceof RaftNodeLifecycleAware aware) {
            aware.onRaftNodeStart();
        }
    }

    /** Releases the delegate (once), also when MicroRaft itself does not (a removed member). */
    @Override
    public void onRaftNodeTerminate() {
        if (released.compareAndSet(false, true) && delegate instanceof RaftNodeLifecycleAware aware) {
            aware.onRaftNodeTerminate();
        }
    }
}
