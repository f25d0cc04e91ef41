package dev.aspen.tests.chaos;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KvException;
import dev.aspen.kv.Watch;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.WatchListener;
import dev.aspen.mesh.client.AspenClient;
import dev.aspen.tickets.ClusterTicket;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A watch on a key prefix through its own {@link AspenClient}, from revision {@code from}, that
 * records every event it is delivered. When the watch ends with an error (the node died, the
 * connection was lost) it records the error and opens a new watch from the revision after the last
 * one delivered; when that revision is compacted away it records the skipped revisions as a gap
 * and resumes at the oldest one kept. Events of an abandoned attempt are ignored.
 */
final class Watcher implements AutoCloseable {
    /** Pause between attempts to open the watch again. */
    static final Duration REOPEN_AFTER = Duration.ofMillis(500);
    /** Bound on recorded events and errors: past it the watcher stops recording and says so. */
    static final int MAX_EVENTS = 1_000_000;

    /** One delivered event; {@code value} is null for a delete. */
    record Event(long revision, String key, WatchEvent.Type type, String value) {}

    /** Revisions {@code [from, to]} the watcher could not be given (compacted on the node it asked). */
    record Gap(long from, long to) {
        boolean contains(long revision) {
            return revision >= from && revision <= to;
        }
    }

    /** What a watcher saw, for {@link WatchCheck}: it covered {@code [from, next)} minus its gaps. */
    record Record(int id, long from, long next, List<Event> events, List<Gap> gaps, List<String> ends) {}

    private final int id;
    private final String prefix;
    private final long from;
    private final Duration openTimeout;
    private final AspenClient client;
    private final ScheduledExecutorService reopen = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong attempt = new AtomicLong();
    private final List<Event> events = new ArrayList<>();
    private final List<Gap> gaps = new ArrayList<>();
    private final List<String> ends = new ArrayList<>();
    private long next;
    private Watch current;
    private boolean closed;

    Watcher(int id, String ticket, String cookie, String prefix, long from, Duration openTimeout) throws IOException {
        if (from < 1) {
            throw new IllegalArgumentException("a watcher starts at a revision >= 1, got " + from);
        }
        this.id = id;
        this.prefix = prefix;
        this.from = from;
        this.next = from;
        this.openTimeout = openTimeout;
        this.client = AspenClient.connect(ClusterTicket.parse(ticket), cookie);
    }

    /** Opens the watch; it then reopens itself until {@link #close()}. */
    void start() {
        reopen.execute(this::open);
    }

    /** The next revision this watcher expects: it has covered every revision below it. */
    synchronized long next() {
        return next;
    }

    synchronized Record record() {
        return new Record(id, from, next, List.copyOf(events), List.copyOf(gaps), List.copyOf(ends));
    }

    private void open() {
        long mine;
        long start;
        synchronized (this) {
            if (closed) {
                return;
            }
            mine = attempt.incrementAndGet();
            start = next;
        }
        client.watch(KeyRange.prefix(prefix.getBytes(UTF_8)), start, false, new Listener(mine))
                .orTimeout(openTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((watch, failure) -> opened(mine, start, watch, failure));
    }

    private void opened(long mine, long start, Watch watch, Throwable failure) {
        synchronized (this) {
            if (failure == null && attempt.get() == mine && !closed) {
                current = watch;
                return;
            }
            if (failure == null) {
                watch.close(); // an abandoned attempt that opened late
                return;
            }
            Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof KvException kv && kv.code() == ErrorCode.COMPACTED && kv.oldestRevision() > start) {
                gaps.add(new Gap(start, kv.oldestRevision() - 1));
                next = kv.oldestRevision();
            }
            end("opening from revision " + start + " failed: " + cause);
        }
        retry(mine);
    }

    /** Records why a watch ended (bounded). Callers hold the lock. */
    private void end(String why) {
        if (ends.size() < MAX_EVENTS) {
            ends.add(why);
        }
    }

    private void retry(long mine) {
        synchronized (this) {
            if (closed || attempt.get() != mine) {
                return;
            }
            attempt.incrementAndGet(); // events of the ended attempt are ignored from now on
        }
        reopen.schedule(this::open, REOPEN_AFTER.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One attempt's listener: ignores everything once its attempt is no longer current. */
    private final class Listener implements WatchListener {
        private final long mine;

        Listener(long mine) {
            this.mine = mine;
        }

        @Override
        public void onEvents(List<WatchEvent> delivered) {
            synchronized (Watcher.this) {
                if (attempt.get() != mine) {
                    return;
                }
                for (WatchEvent e : delivered) {
                    if (events.size() < MAX_EVENTS) {
                        String value = e.type() == WatchEvent.Type.PUT ? new String(e.kv().value(), UTF_8) : null;
                        events.add(new Event(e.revision(), new String(e.kv().key(), UTF_8), e.type(), value));
                    }
                    next = Math.max(next, e.revision() + 1);
                }
            }
        }

        @Override
        public void onCancelled(KvException reason) {
            synchronized (Watcher.this) {
                if (attempt.get() != mine) {
                    return;
                }
                end("ended after revision " + (next - 1) + ": " + reason.getMessage());
            }
            retry(mine);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (current != null) {
                current.close();
            }
        }
        reopen.shutdownNow();
        client.close();
    }
}
