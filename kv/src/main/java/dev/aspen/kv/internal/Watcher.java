package dev.aspen.kv.internal;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KvException;
import dev.aspen.kv.Watch;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.WatchListener;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch: a bounded queue of per-revision event batches drained on the dispatch executor, at most
 * one drain at a time, so the listener sees batches in order and never concurrently.
 */
final class Watcher implements Watch {
    private static final Logger LOG = LoggerFactory.getLogger(Watcher.class);

    private final long id;
    private final KeyRange range;
    private final long startRevision;
    private final boolean prevKv;
    private final WatchListener listener;
    private final int capacity;
    private final Executor executor;
    private final Consumer<Watcher> onClose;
    private final Queue<List<WatchEvent>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean cancelNotified = new AtomicBoolean();
    private volatile KvException cancelReason;
    private volatile boolean closed;

    Watcher(
            long id,
            KeyRange range,
            long startRevision,
            boolean prevKv,
            WatchListener listener,
            int capacity,
            Executor executor,
            Consumer<Watcher> onClose) {
        this.id = id;
        this.range = range;
        this.startRevision = startRevision;
        this.prevKv = prevKv;
        this.listener = listener;
        this.capacity = capacity;
        this.executor = executor;
        this.onClose = onClose;
    }

    @Override
    public long id() {
        return id;
    }

    /**
     * Queues the matching changes of {@code revision}; false when they do not fit the queue. One
     * revision's events are always accepted by an empty queue, so a large range delete does not by
     * itself cancel a watcher that keeps up.
     */
    boolean offer(long revision, List<WatchHub.Change> changes) {
        if (revision < startRevision || closed || cancelReason != null) {
            return true;
        }
        List<WatchEvent> events = WatchHub.matching(revision, changes, range, prevKv);
        if (events.isEmpty()) {
            return true;
        }
        int queued = pending.get();
        if (queued > 0 && queued + events.size() > capacity) {
            return false;
        }
        pending.addAndGet(events.size());
        queue.add(events);
        schedule();
        return true;
    }

    /** Stops the watch; the listener gets the queued events, then {@code reason}. */
    void cancel(KvException reason) {
        cancelReason = reason;
        schedule();
    }

    @Override
    public void close() {
        closed = true;
        onClose.accept(this);
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false);
                LOG.debug("watch {} dispatch rejected: executor is shut down", id);
            }
        }
    }

    private void drain() {
        do {
            List<WatchEvent> batch;
            while (!closed && (batch = queue.poll()) != null) {
                deliver(batch);
                pending.addAndGet(-batch.size());
            }
            KvException reason = cancelReason;
            if (reason != null && !closed && queue.isEmpty() && cancelNotified.compareAndSet(false, true)) {
                listener.onCancelled(reason);
            }
            scheduled.set(false);
        } while (hasWork() && scheduled.compareAndSet(false, true));
    }

    private boolean hasWork() {
        return !closed && (!queue.isEmpty() || (cancelReason != null && !cancelNotified.get()));
    }

    private void deliver(List<WatchEvent> batch) {
        try {
            listener.onEvents(batch);
        } catch (RuntimeException e) {
            LOG.warn("watch {} listener threw; cancelling the watch", id, e);
            queue.clear();
            cancelReason = KvException.of(ErrorCode.UNAVAILABLE, "watch " + id + " listener threw " + e);
            onClose.accept(this);
        }
    }
}
