package dev.aspen.mesh.rpc;

import dev.aspen.mesh.quic.FrameException;
import dev.aspen.mesh.quic.Frames;
import dev.aspen.mesh.quic.Protocol;
import dev.aspen.tickets.NodeId;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.QuicStream;

/**
 * Serves the request/response protocol on each stream a dialer opens: many requests in flight per
 * stream, answered in completion order, each tagged with its request id.
 *
 * <p>Limits: at most {@code maxInFlightPerStream} unanswered calls plus open watches per stream;
 * more are refused at once. Frames are bounded by {@code maxFrameBytes}; a malformed one ends the
 * stream (and its watches), never the connection.
 */
public final class RpcServer implements Protocol.StreamHandler {
    private static final Logger log = LoggerFactory.getLogger(RpcServer.class);

    private final RpcHandler handler;
    private final int maxFrameBytes;
    private final int maxInFlightPerStream;

    public RpcServer(RpcHandler handler, int maxFrameBytes, int maxInFlightPerStream) {
        if (maxInFlightPerStream < 1) {
            throw new IllegalArgumentException("maxInFlightPerStream must be at least 1");
        }
        this.handler = handler;
        this.maxFrameBytes = maxFrameBytes;
        this.maxInFlightPerStream = maxInFlightPerStream;
    }

    @Override
    public void onStream(NodeId peer, QuicStream stream) throws IOException {
        var session = new Session(peer, stream.getOutputStream());
        try {
            byte[] frame;
            while ((frame = Frames.read(stream.getInputStream(), maxFrameBytes)) != null) {
                session.receive(frame);
            }
        } finally {
            session.closeWatches();
            try {
                stream.getOutputStream().close();
            } catch (IOException e) {
                log.debug("closing an rpc stream from {}: {}", peer, e.getMessage());
            }
        }
    }

    private final class Session {
        private final NodeId peer;
        private final OutputStream out;
        private final AtomicInteger inFlight = new AtomicInteger();
        private final Map<Long, Watch> watches = new ConcurrentHashMap<>();
        private volatile boolean broken;

        Session(NodeId peer, OutputStream out) {
            this.peer = peer;
            this.out = out;
        }

        void receive(byte[] frame) throws IOException {
            if (frame.length == 0) {
                send(frame);
                return;
            }
            RpcWire.Message message = RpcWire.decode(frame);
            switch (message.type()) {
                case RpcWire.CALL -> call(message);
                case RpcWire.WATCH -> watch(message);
                case RpcWire.CANCEL -> cancel(message.id());
                default -> throw new FrameException("unknown rpc message type " + message.type());
            }
        }

        private boolean admit(long id) {
            if (inFlight.incrementAndGet() > maxInFlightPerStream) {
                inFlight.decrementAndGet();
                send(RpcWire.encode(
                        RpcWire.FAILED,
                        id,
                        "server has " + maxInFlightPerStream + " requests in flight on this stream"));
                return false;
            }
            return true;
        }

        private void call(RpcWire.Message message) {
            if (!admit(message.id())) {
                return;
            }
            java.util.concurrent.CompletableFuture<byte[]> response;
            try {
                response = handler.call(peer, message.body());
            } catch (RuntimeException e) {
                response = java.util.concurrent.CompletableFuture.failedFuture(e);
            }
            response.whenComplete((body, failure) -> {
                inFlight.decrementAndGet();
                if (failure == null) {
                    send(RpcWire.encode(RpcWire.REPLY, message.id(), body));
                } else {
                    send(RpcWire.encode(RpcWire.FAILED, message.id(), String.valueOf(failure.getMessage())));
                }
            });
        }

        private void watch(RpcWire.Message message) {
            if (!admit(message.id())) {
                return;
            }
            var watch = new Watch(message.id());
            watches.put(message.id(), watch);
            try {
                watch.handle = handler.watch(peer, message.body(), watch);
            } catch (RuntimeException e) {
                watch.end(String.valueOf(e.getMessage()));
            }
            if (watch.done.get()) {
                watch.closeHandle();
            }
        }

        private void cancel(long id) {
            Watch watch = watches.get(id);
            if (watch != null && watch.finish()) {
                watch.closeHandle();
                send(RpcWire.encode(RpcWire.END, id, "cancelled"));
            }
        }

        /** One open watch; it finishes exactly once, by the handler, a cancel, or the stream's end. */
        private final class Watch implements RpcHandler.EventSink {
            private final long id;
            private final AtomicBoolean done = new AtomicBoolean();
            private volatile AutoCloseable handle;

            Watch(long id) {
                this.id = id;
            }

            @Override
            public boolean event(byte[] event) {
                return !done.get() && send(RpcWire.encode(RpcWire.EVENT, id, event));
            }

            @Override
            public void end(String reason) {
                if (finish()) {
                    send(RpcWire.encode(RpcWire.END, id, reason));
                }
            }

            boolean finish() {
                if (!done.compareAndSet(false, true)) {
                    return false;
                }
                watches.remove(id);
                inFlight.decrementAndGet();
                return true;
            }

            void closeHandle() {
                AutoCloseable h = handle;
                if (h != null) {
                    closeQuietly(h);
                }
            }
        }

        void closeWatches() {
            broken = true;
            for (Watch watch : watches.values()) {
                if (watch.finish()) {
                    watch.closeHandle();
                }
            }
        }

        /** Writes one frame; false once the stream is broken. Thread-safe. */
        private boolean send(byte[] payload) {
            if (broken) {
                return false;
            }
            synchronized (out) {
                try {
                    Frames.write(out, payload);
                    return true;
                } catch (IOException e) {
                    broken = true;
                    log.debug("rpc stream to {} failed: {}", peer, e.getMessage());
                    return false;
                }
            }
        }
    }

    private static void closeQuietly(AutoCloseable handle) {
        try {
            handle.close();
        } catch (Exception e) {
            log.debug("closing a watch failed: {}", e.toString());
        }
    }
}
