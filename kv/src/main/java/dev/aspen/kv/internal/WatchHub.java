package dev.aspen.kv.internal;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValue;
import dev.aspen.kv.KvException;
import dev.aspen.kv.Watch;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.WatchListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The node-local watch registry, fed by the apply thread with each revision's changes. Keeps a
 * bounded history (at most {@code historyRevisions} revisions and {@code historyBytes} bytes) so a
 * watch can start in the past, and at most {@code maxWatchers} watchers, each with a queue of at most
 * {@code queueCapacity} undelivered events (or one revision's events, if that is more). Thread-safe: publication and registration are serialized
 * by this object's monitor, so a new watcher sees history then live events with no gap or duplicate.
 */
public final class WatchHub implements AutoCloseable {
    /** One change as published by apply. */
    public record Change(WatchEvent.Type type, KeyValue kv, KeyValue prevKv) {
        long bytes() {
            return 64L + kv.key().length + kv.value().length + (prevKv == null ? 0 : prevKv.value().length);
        }
    }

    private record Revision(long revision, List<Change> changes, long bytes) {}

    /** Limits of the hub. */
    public record Limits(int maxWatchers, int queueCapacity, int historyRevisions, long historyBytes) {}

    private final Limits limits;
    private final Executor executor;
    private final ArrayDeque<Revision> history = new ArrayDeque<>();
    private final Map<Long, Watcher> watchers = new LinkedHashMap<>();
    private long historyBytes;
    private long lastRevision;
    private long nextWatchId = 1;
    private boolean closed;

    /** A hub whose state is at {@code revision}, dispatching on {@code executor}. */
    public WatchHub(Limits limits, Executor executor, long revision) {
        this.limits = limits;
        this.executor = executor;
        this.lastRevision = revision;
    }

    /** Records the changes of {@code revision} (which must follow the last one) and queues them. */
    public synchronized void publish(long revision, List<Change> changes) {
        if (revision != lastRevision + 1) {
            throw new IllegalStateException("revision " + revision + " published after " + lastRevision);
        }
        lastRevision = revision;
        Revision entry = new Revision(
                revision,
                List.copyOf(changes),
                changes.stream().mapToLong(Change::bytes).sum());
        history.addLast(entry);
        historyBytes += entry.bytes();
        while (!history.isEmpty()
                && (history.size() > limits.historyRevisions() || historyBytes > limits.historyBytes())) {
            historyBytes -= history.removeFirst().bytes();
        }
        for (Watcher w : List.copyOf(watchers.values())) {
            if (!w.offer(revision, entry.changes())) {
                cancel(
                        w,
                        KvException.of(
                                ErrorCode.UNAVAILABLE,
                                "watch " + w.id() + " fell behind: more than " + limits.queueCapacity()
                                        + " undelivered events at revision " + revision
                                        + "; re-watch from the last revision received + 1"));
            }
        }
    }

    /**
     * Registers a watcher for events of revisions {@code >= startRevision} (0: the next revision).
     *
     * @throws KvException {@code compacted} when the start is older than the history, {@code
     *     too_large} when the node has its maximum of watchers or the history to replay exceeds the
     *     queue, {@code unavailable} when closed
     */
    public synchronized Watch register(KeyRange range, long startRevision, boolean prevKv, WatchListener listener) {
        if (closed) {
            throw KvException.of(ErrorCode.UNAVAILABLE, "the key/value state machine is closed");
        }
        if (watchers.size() >= limits.maxWatchers()) {
            throw KvException.of(
                    ErrorCode.TOO_LARGE,
                    "this node already has " + watchers.size() + " watchers, limit " + limits.maxWatchers());
        }
        long start = startRevision == 0 ? lastRevision + 1 : startRevision;
        long oldest = oldestRevision();
        if (start < oldest) {
            throw KvException.compacted(start, oldest);
        }
        Watcher w = new Watcher(
                nextWatchId++, range, start, prevKv, listener, limits.queueCapacity(), executor, this::remove);
        for (Revision r : history) {
            if (r.revision() >= start && !w.offer(r.revision(), r.changes())) {
                throw KvException.of(
                        ErrorCode.TOO_LARGE,
                        "history since revision " + start + " holds more matching events than the watch queue capacity "
                                + limits.queueCapacity() + "; start later");
            }
        }
        watchers.put(w.id(), w);
        return w;
    }

    /** The oldest revision a new watch may start from. */
    public synchronized long oldestRevision() {
        return history.isEmpty() ? lastRevision + 1 : history.peekFirst().revision();
    }

    /** Forgets the history after the state was replaced at {@code revision}; cancels every watcher. */
    public synchronized void reset(long revision) {
        history.clear();
        historyBytes = 0;
        long before = lastRevision;
        lastRevision = revision;
        for (Watcher w : List.copyOf(watchers.values())) {
            cancel(w, KvException.compacted(Math.min(before, revision) + 1, revision + 1));
        }
    }

    /** Cancels every watcher with {@code unavailable} and refuses new ones. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Watcher w : List.copyOf(watchers.values())) {
            cancel(w, KvException.of(ErrorCode.UNAVAILABLE, "the key/value state machine is closed"));
        }
    }

    private void cancel(Watcher w, KvException reason) {
        watchers.remove(w.id());
        w.cancel(reason);
    }

    private synchronized void remove(Watcher w) {
        watchers.remove(w.id());
    }

    static List<WatchEvent> matching(long revision, List<Change> changes, KeyRange range, boolean prevKv) {
        List<WatchEvent> out = new ArrayList<>();
        for (Change c : changes) {
            if (range.contains(c.kv().key())) {
                KeyValue prev = prevKv ? c.prevKv() : null;
                out.add(new WatchEvent(revision, c.type(), c.kv(), java.util.Optional.ofNullable(prev)));
            }
        }
        return out;
    }
}
