package dev.aspen.mesh.quic;

import dev.aspen.tickets.NodeId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.QuicStream;

/**
 * A one-way, ordered message channel to one peer over a long-lived QUIC stream: what Raft needs.
 *
 * <p>{@link #offer} never blocks. Messages wait in a queue bounded by count and bytes; when it is
 * full the oldest message is dropped and counted (Raft tolerates loss and retransmits). A single
 * named daemon thread connects (pinned, authenticated), reconnects with capped exponential backoff
 * and jitter, and writes queued messages in batches, each batch with one stream write. Order
 * within the channel is preserved. Messages wait while the peer is unreachable; those of a batch
 * whose write failed on an open connection are dropped.
 *
 * <p>Kwik lost-send bug ({@link SendStall}): part of a write is occasionally left in Kwik's send
 * buffer until the next write on the stream. Writes go through {@link SendStall#write}, which
 * releases data stuck by the write itself (and a writer blocked behind it); a retransmission can
 * still strand data later. Raft traffic is the worst case for it: a leader has
 * one AppendEntries in flight per follower and sends the next only when the response arrives, so a
 * stuck response stalls that follower until MicroRaft's backoff (250 ms rounds) gives up on it. So
 * while the channel is idle, for two seconds after its last data, it checks the stream every 2 ms
 * and writes an empty frame as soon as two checks in a row see data stuck ({@link #stallRepairs()});
 * as a fallback for stalls it cannot see, it also writes one after {@link Settings#nudgeAfter()}
 * (200 ms by default), then at doubling intervals up to 200 ms. Any write releases stuck data.
 *
 * <p>Keep-alive: while connected, a channel with nothing to send writes an empty frame every
 * {@value #KEEP_ALIVE_MILLIS} ms. Without it a connection between two live nodes that stays quiet
 * (two followers talk only during elections) idles out, and QUIC's silent idle close can end the
 * peer's side seconds before this side: the first messages after the quiet spell then go into a
 * connection the peer has forgotten, unanswered until this side's own idle timer fires. That cost
 * elections up to 7 s after a leader crash. {@link #nudges()} counts all empty frames (nudges and
 * keep-alives); receivers skip them.
 */
public final class OutboundChannel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutboundChannel.class);
    private static final byte[] NUDGE = new byte[0];
    /** How long after the last data write idle nudges continue. */
    private static final long NUDGE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Cap on the interval between idle nudges, which doubles from {@link Settings#nudgeAfter()}. */
    private static final long MAX_NUDGE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** How often an idle channel checks its stream for a stalled send ({@link SendStall}). */
    static final long STALL_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** Silence after which a connected channel writes an empty frame (well under any idle timeout of 2 s or more). */
    static final long KEEP_ALIVE_MILLIS = 1000;

    /**
     * Channel limits and timing.
     *
     * @param maxQueuedMessages queue bound by count
     * @param maxQueuedBytes queue bound by payload bytes
     * @param maxBatchBytes most payload bytes written in one stream write
     * @param initialBackoff first reconnect delay
     * @param maxBackoff cap on the reconnect delay
     * @param nudgeAfter idle time after a data write before the first stall-releasing empty frame
     */
    public record Settings(
            int maxQueuedMessages,
            long maxQueuedBytes,
            int maxBatchBytes,
            Duration initialBackoff,
            Duration maxBackoff,
            Duration nudgeAfter) {
        /** Defaults for Raft traffic. */
        public static Settings defaults() {
            return new Settings(
                    4096,
                    64L * 1024 * 1024,
                    1024 * 1024,
                    Duration.ofMillis(50),
                    Duration.ofSeconds(2),
                    Duration.ofMillis(200));
        }

        public Settings {
            if (maxQueuedMessages < 1 || maxQueuedBytes < 1 || maxBatchBytes < 1) {
                throw new IllegalArgumentException("channel limits must be positive");
            }
            if (nudgeAfter.isNegative() || nudgeAfter.isZero()) {
                throw new IllegalArgumentException("nudgeAfter must be positive");
            }
            if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("backoff must be positive and maxBackoff >= initialBackoff");
            }
        }
    }

    private final QuicEndpoint endpoint;
    private final NodeId peer;
    private final Supplier<List<InetSocketAddress>> addresses;
    private final String alpn;
    private final Settings settings;
    private final UnaryOperator<OutputStream> streamWrapper;
    private final Thread sender;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder nudges = new LongAdder();
    private final LongAdder stallRepairs = new LongAdder();
    private final LongAdder connects = new LongAdder();
    private volatile boolean reachable = true;
    private long queuedBytes;
    private long lastDataNanos;
    private long lastWriteNanos;
    private long nudgeIntervalNanos;
    private boolean closed;
    private PeerConnection connection;
    private OutputStream out;

    /**
     * Starts the channel's sender thread. Nothing is dialed until the first message.
     *
     * @param addresses where to find the peer, asked again before every connection attempt
     */
    public OutboundChannel(
            QuicEndpoint endpoint,
            NodeId peer,
            Supplier<List<InetSocketAddress>> addresses,
            String alpn,
            Settings settings) {
        this(endpoint, peer, addresses, alpn, settings, UnaryOperator.identity());
    }

    /** As the public constructor, with every stream's output passed through {@code streamWrapper} (tests inject faults). */
    OutboundChannel(
            QuicEndpoint endpoint,
            NodeId peer,
            Supplier<List<InetSocketAddress>> addresses,
            String alpn,
            Settings settings,
            UnaryOperator<OutputStream> streamWrapper) {
        this.streamWrapper = streamWrapper;
        this.endpoint = endpoint;
        this.peer = peer;
        this.addresses = addresses;
        this.alpn = alpn;
        this.settings = settings;
        this.sender = new Thread(this::run, "aspen-send-" + peer.toString().substring(0, 6));
        sender.setDaemon(true);
        sender.start();
    }

    /**
     * Queues one message. Never blocks; drops the oldest queued messages when the queue is full.
     *
     * @return false if the channel is closed or the message alone exceeds the queue's byte bound
     */
    public boolean offer(byte[] message) {
        if (message.length == 0 || message.length > settings.maxQueuedBytes()) {
            return false;
        }
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            while (queue.size() >= settings.maxQueuedMessages()
                    || queuedBytes + message.length > settings.maxQueuedBytes()) {
                queuedBytes -= queue.removeFirst().length;
                dropped.increment();
            }
            queue.addLast(message);
            queuedBytes += message.length;
            changed.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    public NodeId peer() {
        return peer;
    }

    /** Messages dropped because the queue was full or their write failed. */
    public long dropped() {
        return dropped.sum();
    }

    /** Messages written to the stream. */
    public long sent() {
        return sent.sum();
    }

    /** Empty frames written to release a possibly stalled stream. */
    public long nudges() {
        return nudges.sum();
    }

    /** Nudges written because {@link SendStall} saw the stream's data stuck (included in {@link #nudges()}). */
    public long stallRepairs() {
        return stallRepairs.sum();
    }

    /**
     * False after a connection attempt failed, until one succeeds: the peer is believed down. True
     * before the first attempt.
     */
    public boolean isReachable() {
        return reachable;
    }

    /** Successful connections, the first included. */
    public long connects() {
        return connects.sum();
    }

    private void run() {
        long backoffMillis = settings.initialBackoff().toMillis();
        boolean nudgeDue = false;
        while (true) {
            List<byte[]> batch;
            try {
                batch = nextBatch(nudgeDue);
            } catch (InterruptedException e) {
                break;
            }
            if (batch == null) {
                break;
            }
            IOException failure = null;
            try {
                ensureConnected();
            } catch (IOException e) {
                requeue(batch);
                failure = e;
            }
            if (failure == null) {
                try {
                    write(batch.isEmpty() ? List.of(NUDGE) : batch);
                    (batch.isEmpty() ? nudges : sent).add(Math.max(1, batch.size()));
                    if (batch.isEmpty()) {
                        nudgeIntervalNanos = Math.min(nudgeIntervalNanos * 2, MAX_NUDGE_INTERVAL_NANOS);
                    } else {
                        lastDataNanos = System.nanoTime();
                        nudgeIntervalNanos = settings.nudgeAfter().toNanos();
                    }
                    nudgeDue = System.nanoTime() - lastDataNanos < NUDGE_WINDOW_NANOS;
                    backoffMillis = settings.initialBackoff().toMillis();
                    continue;
                } catch (IOException | RuntimeException e) {
                    dropped.add(batch.size());
                    failure = e instanceof IOException io ? io : new IOException("write failed: " + e, e);
                }
            }
            disconnect();
            nudgeDue = false;
            log.debug("channel to {} failed: {}; retrying in ~{} ms", peer, failure.getMessage(), backoffMillis);
            if (!pause(backoffMillis + ThreadLocalRandom.current().nextLong(backoffMillis / 2 + 1))) {
                break;
            }
            backoffMillis = Math.min(backoffMillis * 2, settings.maxBackoff().toMillis());
        }
        disconnect();
    }

    /** Puts an unsent batch back at the head of the queue, dropping the oldest if the queue filled meanwhile. */
    private void requeue(List<byte[]> batch) {
        lock.lock();
        try {
            for (int i = batch.size() - 1; i >= 0; i--) {
                byte[] message = batch.get(i);
                if (queue.size() >= settings.maxQueuedMessages()
                        || queuedBytes + message.length > settings.maxQueuedBytes()) {
                    dropped.add(i + 1);
                    return;
                }
                queue.addFirst(message);
                queuedBytes += message.length;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for messages. Returns a batch; an empty list when a nudge is due after an idle period;
     * null when closed.
     */
    private List<byte[]> nextBatch(boolean nudgeDue) throws InterruptedException {
        lock.lock();
        try {
            long nudgeAt = System.nanoTime() + nudgeIntervalNanos;
            boolean suspect = false;
            while (queue.isEmpty() && !closed) {
                if (!nudgeDue) {
                    if (connection == null || !connection.isConnected()) {
                        changed.await(); // no keep-alive for a connection that is gone: the next message redials
                        continue;
                    }
                    long keepAliveLeft =
                            lastWriteNanos + TimeUnit.MILLISECONDS.toNanos(KEEP_ALIVE_MILLIS) - System.nanoTime();
                    if (keepAliveLeft <= 0) {
                        return List.of();
                    }
                    changed.awaitNanos(keepAliveLeft);
                    continue;
                }
                long left = nudgeAt - System.nanoTime();
                if (left <= 0) {
                    return List.of();
                }
                changed.awaitNanos(Math.min(left, STALL_CHECK_NANOS));
                boolean stalled = SendStall.stalled(out);
                if (stalled && suspect) {
                    stallRepairs.increment();
                    return List.of();
                }
                suspect = stalled;
            }
            if (closed) {
                return null;
            }
            var batch = new java.util.ArrayList<byte[]>();
            long bytes = 0;
            while (!queue.isEmpty()
                    && (batch.isEmpty() || bytes + queue.peekFirst().length <= settings.maxBatchBytes())) {
                byte[] message = queue.removeFirst();
                queuedBytes -= message.length;
                bytes += message.length;
                batch.add(message);
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private boolean pause(long millis) {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
            while (!closed && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            return !closed;
        } catch (InterruptedException e) {
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void ensureConnected() throws IOException {
        if (connection != null && connection.isConnected()) {
            return;
        }
        disconnect();
        List<InetSocketAddress> candidates;
        try {
            candidates = addresses.get();
        } catch (RuntimeException e) {
            reachable = false;
            throw new IOException("cannot look up the addresses of node " + peer + ": " + e, e);
        }
        IOException last = null;
        for (InetSocketAddress address : candidates) {
            try {
                PeerConnection fresh = endpoint.connect(peer, address, alpn);
                QuicStream stream = fresh.openStream();
                connection = fresh;
                out = streamWrapper.apply(stream.getOutputStream());
                connects.increment();
                reachable = true;
                return;
            } catch (IOException e) {
                last = e;
            } catch (RuntimeException e) {
                // Kwik throws unchecked exceptions from connect now and then (seen: NPEs under load);
                // escaping, one would end this channel's only thread and silence the peer for good.
                last = new IOException("connecting to " + address + " failed: " + e, e);
            }
        }
        reachable = false;
        throw last != null ? last : new IOException("no address known for node " + peer);
    }

    private void write(List<byte[]> batch) throws IOException {
        var buffer = new ByteArrayOutputStream();
        for (byte[] message : batch) {
            Frames.write(buffer, message);
        }
        SendStall.write(out, buffer.toByteArray());
        lastWriteNanos = System.nanoTime();
    }

    private void disconnect() {
        if (connection != null) {
            connection.close();
            connection = null;
            out = null;
        }
    }

    /** Stops the sender and closes the connection; queued messages are dropped. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
