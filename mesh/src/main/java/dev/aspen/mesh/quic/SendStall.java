package dev.aspen.mesh.quic;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.QuicStream;

/**
 * Detects Kwik 0.10.8's lost-send race on a stream: data buffered for sending with no send
 * scheduled, so it leaves only when something is written to the stream again.
 *
 * <p>The race: Kwik's stream output counts its queued send requests ({@code sendRequestsQueued})
 * and queues one only when the count is 0, but it queues the request <em>before</em> incrementing
 * the count. If the sender thread runs that request in between, it decrements the count to -1, and
 * when the data did not fit in one frame (a write larger than a packet, or a packet with little
 * room left) its own request for the rest sees -1 and is skipped; the writer then increments to 0.
 * The rest waits for the next write. A retransmission queued by Kwik's receiver or loss-detection
 * thread can race the same way.
 *
 * <p>Worst case, a writer blocked in Kwik's full send buffer waits forever: the data that would
 * free room is the data nobody sends (seen: a Raft channel stuck for a minute, both threads
 * parked). So every write goes through {@link #write}: while it blocks, a watchdog thread checks
 * the stream every {@value #WATCH_MILLIS} ms and {@linkplain #release releases} stuck data by
 * queueing the send request Kwik skipped (what Kwik itself does from other threads, so it is safe
 * beside a blocked writer); after it returns, the stream is checked again and, if released, watched
 * until a check finds it sending (for at most {@value #WATCH_AFTER_WRITE_MILLIS} ms: a connection
 * that died keeps its unsent data forever). A superfluous request costs nothing: it finds no data
 * and sends nothing.
 *
 * <p>This reads private fields of Kwik's {@code StreamOutputStreamImpl}; if they are missing (a
 * different Kwik version), {@link #stalled} always answers false, {@link #write} is a plain write,
 * and the callers' timed nudges remain the only guard.
 */
public final class SendStall {
    private static final Logger log = LoggerFactory.getLogger(SendStall.class);
    private static final Probe PROBE = Probe.load();
    /** How often the watchdog checks the streams it watches. */
    static final long WATCH_MILLIS = 2;
    /** How long after its write a released stream is watched at most. */
    static final long WATCH_AFTER_WRITE_MILLIS = 1000;
    /** How long the watchdog sleeps while it watches nothing (a missed wake-up costs at most this). */
    private static final long IDLE_MILLIS = 50;
    /** Streams the watchdog checks: a write in progress, or a release not yet seen to take. */
    private static final ConcurrentHashMap<OutputStream, Watch> WATCHED = new ConcurrentHashMap<>();

    private static final LongAdder RELEASES = new LongAdder();
    private static final Thread WATCHDOG = PROBE == null ? null : startWatchdog();

    /** One watched stream. */
    private static final class Watch {
        final long sinceNanos = System.nanoTime();
        /** When the write ended; 0 while it is in progress. */
        volatile long doneNanos;
    }

    private SendStall() {}

    /**
     * Writes {@code bytes} to {@code out} so that Kwik's lost-send race cannot strand them (see
     * above); a plain {@code out.write} for any other stream. Callers serialize writes per stream,
     * as for Kwik's own {@code write}.
     */
    public static void write(OutputStream out, byte[] bytes) throws IOException {
        if (WATCHDOG == null || !PROBE.type().isInstance(out)) {
            out.write(bytes);
            return;
        }
        var watch = new Watch();
        boolean wake = WATCHED.isEmpty();
        WATCHED.put(out, watch);
        if (wake) {
            LockSupport.unpark(WATCHDOG);
        }
        try {
            out.write(bytes);
        } finally {
            watch.doneNanos = Math.max(1, System.nanoTime());
        }
        // Releasing is itself a write-side request that can lose the race, so a stream released
        // here stays watched until a check finds it sending.
        if (!release(out)) {
            WATCHED.remove(out, watch);
        }
    }

    /**
     * If {@code out} is {@link #stalled}, queues the send request Kwik skipped, so the stuck data
     * leaves without another write. Safe from any thread. Never blocks, never throws. The request
     * can lose the same race; {@link #write} covers that by checking again.
     *
     * @return whether a request was queued
     */
    public static boolean release(OutputStream out) {
        if (!stalled(out) || !PROBE.schedule(out)) {
            return false;
        }
        RELEASES.increment();
        return true;
    }

    /**
     * True if {@code out} is a Kwik stream output holding unsent data with no send scheduled. A true
     * answer can be momentary while Kwik's sender is mid-way through the stream. False for any
     * other stream. Never blocks, never throws.
     */
    public static boolean stalled(OutputStream out) {
        return PROBE != null && PROBE.stalled(out);
    }

    /** Send requests queued by {@link #release} in this JVM, all streams together. */
    public static long releases() {
        return RELEASES.sum();
    }

    private static Thread startWatchdog() {
        Thread thread = new Thread(SendStall::watch, "aspen-kwik-send-watchdog");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * The watchdog: every tick, releases each watched stream that has waited a tick; stops
     * watching a stream once its write is done and it is not stalled, or was done long ago.
     */
    private static void watch() {
        long tick = TimeUnit.MILLISECONDS.toNanos(WATCH_MILLIS);
        long afterWrite = TimeUnit.MILLISECONDS.toNanos(WATCH_AFTER_WRITE_MILLIS);
        while (true) {
            LockSupport.parkNanos(WATCHED.isEmpty() ? TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS) : tick);
            long now = System.nanoTime();
            for (var entry : WATCHED.entrySet()) {
                Watch watch = entry.getValue();
                if (now - watch.sinceNanos < tick) {
                    continue;
                }
                long done = watch.doneNanos;
                boolean released = release(entry.getKey());
                if (done != 0 && (!released || now - done > afterWrite)) {
                    WATCHED.remove(entry.getKey(), watch);
                }
            }
        }
    }

    private record Probe(
            Class<?> type,
            Field requests,
            Field buffer,
            Method hasData,
            Field retransmit,
            Method hasRetransmit,
            Field flowControl,
            Field stream,
            Method blockReason,
            Method schedule) {
        static Probe load() {
            try {
                Class<?> type = Class.forName("tech.kwik.core.stream.StreamOutputStreamImpl");
                Field requests = accessible(type.getDeclaredField("sendRequestsQueued"));
                Field buffer = accessible(type.getDeclaredField("sendBuffer"));
                Field retransmit = accessible(type.getDeclaredField("retransmitBuffer"));
                Field flowControl = accessible(type.getDeclaredField("flowController"));
                Field stream = accessible(type.getDeclaredField("quicStream"));
                return new Probe(
                        type,
                        requests,
                        buffer,
                        buffer.getType().getMethod("hasData"),
                        retransmit,
                        retransmit.getType().getMethod("hasDataToRetransmit"),
                        flowControl,
                        stream,
                        flowControl.getType().getMethod("getFlowControlBlockReason", QuicStream.class),
                        accessible(type.getDeclaredMethod("scheduleSendStreamFrameRequest", boolean.class)));
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.warn(
                        "cannot watch Kwik streams for stalled sends ({}); relying on timed nudges only", e.toString());
                return null;
            }
        }

        private static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
            member.setAccessible(true);
            return member;
        }

        /** Queues a send request on {@code out} (Kwik's own, flushing); false if that failed. */
        boolean schedule(OutputStream out) {
            try {
                schedule.invoke(out, true);
                return true;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false;
            }
        }

        boolean stalled(OutputStream out) {
            if (!type.isInstance(out)) {
                return false;
            }
            try {
                if (((AtomicInteger) requests.get(out)).get() > 0) {
                    return false;
                }
                boolean pending = (boolean) hasData.invoke(buffer.get(out))
                        || (boolean) hasRetransmit.invoke(retransmit.get(out));
                // A stream blocked by flow control legitimately waits, with no send scheduled, for the peer's credit.
                return pending
                        && "NOT_BLOCKED"
                                .equals(String.valueOf(blockReason.invoke(flowControl.get(out), stream.get(out))));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false;
            }
        }
    }
}
