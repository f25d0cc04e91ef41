package dev.aspen.mesh.rpc;

import dev.aspen.mesh.quic.FrameException;
import dev.aspen.mesh.quic.Frames;
import dev.aspen.mesh.quic.PeerConnection;
import dev.aspen.mesh.quic.SendStall;
import dev.aspen.tickets.NodeId;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.QuicStream;

/**
 * The dialer's side of the request/response protocol on one long-lived stream of a {@link
 * PeerConnection}: pipelined calls matched to responses by request id, and watches.
 *
 * <p>Every call has a timeout. Kwik's lost-send bug ({@link SendStall}) can leave requests in the
 * stream's send buffer until the next write: while calls are outstanding the stream is checked
 * every 2 ms and nudged with an empty frame when two checks in a row see that ({@link
 * #stallRepairs()}). For a stall on the server's side, which this side cannot see, a watchdog
 * sweeps outstanding calls: when the oldest has waited {@link Settings#nudgeAfter()} (200 ms by
 * default) with nothing received, it writes an empty frame, which the server echoes — any write
 * releases a stalled stream. A response that arrives after such a nudge counts as a recovery
 * ({@link #recoveries()}).
 *
 * <p>Dead connections: the server echoes every nudge at once, so {@value #DEAD_AFTER_NUDGES} nudges
 * in a row with nothing at all received (3 s by default) mean the server's side of the connection
 * is gone or wedged, though QUIC still calls it open (seen: Kwik aborting a server connection on an
 * internal error, after which the server discards the dialer's packets while the dialer's side
 * lives on until its idle timeout). The client then closes the connection and fails
 * every outstanding call with {@link RpcException.Kind#CONNECTION_LOST}, so callers move to a
 * new connection in seconds instead of each waiting out its timeout.
 *
 * <p>Keep-alive: a stream with nothing written for {@value #KEEP_ALIVE_MILLIS} ms gets an empty
 * frame. An idle connection would otherwise time out, and QUIC closes on idle silently, the server's
 * side possibly seconds before this one: calls sent in between would vanish until their timeout.
 *
 * <p>Thread-safe. One reader thread (daemon) per client.
 */
public final class RpcClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RpcClient.class);
    private static final byte[] NUDGE = new byte[0];
    /** How often the stream is checked for a stalled send ({@link SendStall}) while calls are outstanding. */
    private static final long STALL_CHECK_MILLIS = 2;
    /** Silence on this side after which the watchdog writes an empty frame to keep the connection open. */
    static final long KEEP_ALIVE_MILLIS = 1000;
    /** Nudges in a row the server left unanswered (it echoes each) after which the connection is presumed dead. */
    static final int DEAD_AFTER_NUDGES = 15;

    /**
     * @param maxInFlight calls plus watches outstanding at once; more fail with {@link
     *     RpcException.Kind#TOO_MANY_IN_FLIGHT}
     * @param requestTimeout bound on every call
     * @param nudgeAfter silence after which the watchdog nudges the stream
     * @param maxFrameBytes largest response accepted
     */
    public record Settings(int maxInFlight, Duration requestTimeout, Duration nudgeAfter, int maxFrameBytes) {
        public static Settings defaults() {
            return new Settings(1024, Duration.ofSeconds(10), Duration.ofMillis(200), Frames.DEFAULT_MAX_FRAME_BYTES);
        }

        /**
         * For a node forwarding a client's call to the leader: as {@link #defaults()} but each call
         * bounded by 2 s, so a leader that just died costs the client one short wait, not ten
         * seconds, before an election has named the next one.
         */
        public static Settings forwarding() {
            return new Settings(1024, Duration.ofSeconds(2), Duration.ofMillis(200), Frames.DEFAULT_MAX_FRAME_BYTES);
        }
    }

    /** How long the reader waits for Kwik to say why a connection ended, for the error message. */
    private static final Duration CLOSE_REASON_WAIT = Duration.ofMillis(200);

    private final PeerConnection connection;
    private final QuicStream stream;
    private final OutputStream out;
    private final Settings settings;
    private final ScheduledFuture<?> watchdog;
    private final ScheduledFuture<?> stallCheck;
    private final Thread reader;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final LongAdder recoveries = new LongAdder();
    private final LongAdder nudges = new LongAdder();
    private final LongAdder stallRepairs = new LongAdder();
    private boolean stallSuspected; // stall-check task only
    private volatile long lastReceiveNanos = System.nanoTime();
    /** Nudges written since a frame last arrived; reset by the reader. */
    private volatile int nudgesUnanswered;

    private volatile long lastNudgeNanos;
    private volatile long lastWriteNanos = System.nanoTime();
    private volatile boolean closed;
    private volatile boolean closeWhenIdle;

    private static final class Pending {
        final long startNanos = System.nanoTime();
        final CompletableFuture<byte[]> reply;
        final Consumer<byte[]> events;
        final CompletableFuture<String> end;
        volatile boolean nudged;
        // A watch's first message (registered, or its end) is awaited like a call's reply.
        volatile boolean answered;

        Pending(CompletableFuture<byte[]> reply, Consumer<byte[]> events, CompletableFuture<String> end) {
            this.reply = reply;
            this.events = events;
            this.end = end;
        }

        boolean isWatch() {
            return events != null;
        }

        /** Whether this side waits for the server to say something: a call, or a watch not yet answered. */
        boolean awaited() {
            return !isWatch() || !answered;
        }

        void fail(RpcException e) {
            if (isWatch()) {
                end.completeExceptionally(e);
            } else {
                reply.completeExceptionally(e);
            }
        }
    }

    /** Opens the client's stream on {@code connection}; {@code timers} runs its watchdog. */
    public RpcClient(PeerConnection connection, Settings settings, ScheduledExecutorService timers) throws IOException {
        this(connection, settings, timers, UnaryOperator.identity());
    }

    RpcClient(
            PeerConnection connection,
            Settings settings,
            ScheduledExecutorService timers,
            UnaryOperator<OutputStream> streamWrapper)
            throws IOException {
        this.connection = connection;
        this.settings = settings;
        this.stream = connection.openStream();
        this.out = streamWrapper.apply(stream.getOutputStream());
        long period = Math.max(10, settings.nudgeAfter().toMillis() / 2);
        this.watchdog = timers.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
        this.stallCheck = timers.scheduleWithFixedDelay(
                this::checkStall, STALL_CHECK_MILLIS, STALL_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        this.reader = new Thread(
                this::readLoop, "aspen-rpc-" + connection.peer().toString().substring(0, 6));
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Sends a request. Never blocks on the network.
     *
     * @return the response; fails with {@link RpcException} on timeout, refusal or connection loss
     */
    public CompletableFuture<byte[]> call(byte[] request) {
        var reply = new CompletableFuture<byte[]>();
        long id = register(new Pending(reply, null, null), reply::completeExceptionally);
        if (id >= 0) {
            send(RpcWire.encode(RpcWire.CALL, id, request), id);
        }
        return reply;
    }

    /**
     * Opens a watch. {@code onEvent} runs on the reader thread, in order; it must not block.
     *
     * @return a handle whose {@link Watch#ended()} completes with the server's end reason (empty for
     *     a normal end) or fails with {@link RpcException} if the connection is lost
     */
    public Watch watch(byte[] request, Consumer<byte[]> onEvent) {
        var end = new CompletableFuture<String>();
        long id = register(new Pending(null, onEvent, end), end::completeExceptionally);
        if (id >= 0) {
            send(RpcWire.encode(RpcWire.WATCH, id, request), id);
        }
        return new Watch(id, end);
    }

    /** An open watch. */
    public final class Watch implements AutoCloseable {
        private final long id;
        private final CompletableFuture<String> ended;

        private Watch(long id, CompletableFuture<String> ended) {
            this.id = id;
            this.ended = ended;
        }

        public CompletableFuture<String> ended() {
            return ended;
        }

        /** Asks the server to stop the watch; {@link #ended()} completes with "cancelled". */
        @Override
        public void close() {
            if (id >= 0 && !ended.isDone()) {
                send(RpcWire.encode(RpcWire.CANCEL, id, new byte[0]), id);
            }
        }
    }

    private long register(Pending entry, Consumer<Throwable> reject) {
        if (closed) {
            reject.accept(new RpcException(RpcException.Kind.CONNECTION_LOST, "client is closed"));
            return -1;
        }
        if (pending.size() >= settings.maxInFlight()) {
            reject.accept(new RpcException(
                    RpcException.Kind.TOO_MANY_IN_FLIGHT, settings.maxInFlight() + " requests already in flight"));
            return -1;
        }
        long id = ids.incrementAndGet();
        pending.put(id, entry);
        return id;
    }

    private void send(byte[] message, long id) {
        synchronized (out) {
            try {
                Frames.write(out, message);
                lastWriteNanos = System.nanoTime();
            } catch (IOException e) {
                Pending entry = pending.remove(id);
                if (entry != null) {
                    entry.fail(new RpcException(RpcException.Kind.CONNECTION_LOST, "send failed: " + e.getMessage()));
                }
            }
        }
    }

    private void readLoop() {
        String why = "the server closed the stream";
        try {
            byte[] frame;
            while ((frame = Frames.read(stream.getInputStream(), settings.maxFrameBytes())) != null) {
                lastReceiveNanos = System.nanoTime();
                nudgesUnanswered = 0;
                if (frame.length > 0) {
                    deliver(RpcWire.decode(frame));
                }
            }
        } catch (IOException e) {
            why = e.getMessage();
            if (!closed) {
                Optional<String> reason = connection.awaitCloseReason(CLOSE_REASON_WAIT);
                if (reason.isPresent()) {
                    why += " (" + reason.get() + ")";
                }
            }
        }
        failAll(new RpcException(
                RpcException.Kind.CONNECTION_LOST, "connection to " + connection.peer() + " lost: " + why));
    }

    private void deliver(RpcWire.Message message) throws FrameException {
        Pending entry = message.type() == RpcWire.EVENT ? pending.get(message.id()) : pending.remove(message.id());
        if (entry == null) {
            return; // timed out or cancelled meanwhile
        }
        if (entry.nudged) {
            recoveries.increment();
            entry.nudged = false;
        }
        entry.answered = true;
        switch (message.type()) {
            case RpcWire.REPLY -> entry.reply.complete(message.body());
            case RpcWire.FAILED ->
                entry.fail(new RpcException(RpcException.Kind.REFUSED, RpcWire.text(message.body())));
            case RpcWire.EVENT -> entry.events.accept(message.body());
            case RpcWire.END -> entry.end.complete(RpcWire.text(message.body()));
            default -> throw new FrameException("unknown rpc response type " + message.type());
        }
    }

    /** Times out old calls, nudges a silent stream, keeps an idle one alive. Runs on the timer thread. */
    private void sweep() {
        if (closeWhenIdle && pending.isEmpty()) {
            close();
            return;
        }
        long now = System.nanoTime();
        long timeout = settings.requestTimeout().toNanos();
        long nudgeAfter = settings.nudgeAfter().toNanos();
        boolean waiting = false;
        for (Map.Entry<Long, Pending> e : pending.entrySet()) {
            Pending entry = e.getValue();
            if (!entry.isWatch() && now - entry.startNanos > timeout && pending.remove(e.getKey(), entry)) {
                log.warn(
                        "call {} to {} got no response within {} ms: connected {}, {} calls pending, last frame"
                                + " received {} ms ago, {} nudges and {} stall repairs so far, request stream stalled {}",
                        e.getKey(),
                        connection.peer(),
                        settings.requestTimeout().toMillis(),
                        connection.isConnected(),
                        pending.size(),
                        TimeUnit.NANOSECONDS.toMillis(now - lastReceiveNanos),
                        nudges.sum(),
                        stallRepairs.sum(),
                        SendStall.stalled(out));
                entry.fail(new RpcException(
                        RpcException.Kind.TIMEOUT,
                        "no response within " + settings.requestTimeout().toMillis() + " ms"));
            } else if (entry.awaited() && now - entry.startNanos > nudgeAfter) {
                waiting = true;
            }
        }
        if (waiting && nudgesUnanswered >= DEAD_AFTER_NUDGES) {
            String why = "no answer to " + nudgesUnanswered + " nudges; nothing received for "
                    + TimeUnit.NANOSECONDS.toMillis(now - lastReceiveNanos) + " ms";
            log.warn("connection to {} presumed dead ({}): closing it", connection.peer(), why);
            closeWith(new RpcException(
                    RpcException.Kind.CONNECTION_LOST, "connection to " + connection.peer() + " lost: " + why));
            return;
        }
        if (waiting && now - lastReceiveNanos > nudgeAfter && now - lastNudgeNanos > nudgeAfter) {
            lastNudgeNanos = now;
            nudges.increment();
            nudgesUnanswered++; // only this timer thread writes it, besides the reader's reset
            for (Pending entry : pending.values()) {
                entry.nudged = entry.awaited() && now - entry.startNanos > nudgeAfter;
            }
            nudge();
        } else if (now - lastWriteNanos > TimeUnit.MILLISECONDS.toNanos(KEEP_ALIVE_MILLIS)) {
            nudge();
        }
    }

    /** Nudges at once when two checks in a row see this side's requests stuck in Kwik's send buffer. */
    private void checkStall() {
        boolean stalled = !pending.isEmpty() && SendStall.stalled(out);
        if (stalled && stallSuspected) {
            stallRepairs.increment();
            nudge();
            stalled = false;
        }
        stallSuspected = stalled;
    }

    private void nudge() {
        synchronized (out) {
            try {
                Frames.write(out, NUDGE);
                lastWriteNanos = System.nanoTime();
            } catch (IOException e) {
                log.debug("nudge to {} failed: {}", connection.peer(), e.getMessage());
            }
        }
    }

    private void failAll(RpcException e) {
        for (Long id : pending.keySet()) {
            Pending entry = pending.remove(id);
            if (entry != null) {
                entry.fail(e);
            }
        }
    }

    /** The node at the other end. */
    public NodeId peer() {
        return connection.peer();
    }

    /** Responses that arrived after the watchdog nudged their stream. */
    public long recoveries() {
        return recoveries.sum();
    }

    /** Nudges written by the watchdog after {@link Settings#nudgeAfter()} of silence. */
    public long nudges() {
        return nudges.sum();
    }

    /** Nudges written at once because {@link SendStall} saw requests stuck in the send buffer. */
    public long stallRepairs() {
        return stallRepairs.sum();
    }

    /** False once the underlying connection closed. */
    public boolean isConnected() {
        return !closed && connection.isConnected();
    }

    /**
     * Closes the connection once no call or watch is outstanding (checked by the watchdog, within
     * {@link Settings#nudgeAfter()}): for a connection its owner no longer sends new calls on.
     */
    public void closeWhenIdle() {
        closeWhenIdle = true;
    }

    /** Fails outstanding requests and closes the connection. Idempotent. */
    @Override
    public void close() {
        closeWith(new RpcException(RpcException.Kind.CONNECTION_LOST, "client closed"));
    }

    private void closeWith(RpcException reason) {
        closed = true;
        watchdog.cancel(false);
        stallCheck.cancel(false);
        failAll(reason); // before the close, whose "connection closed" the reader would report first
        connection.close();
    }
}
