package dev.aspen.mesh.client;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvException;
import dev.aspen.kv.Watch;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.WatchListener;
import dev.aspen.kv.wire.KvRequest;
import dev.aspen.kv.wire.KvWire;
import dev.aspen.kv.wire.WireFormatException;
import dev.aspen.mesh.rpc.RpcHandler;
import dev.aspen.tickets.NodeId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Serves the client protocol from a node's {@link KeyValueStore}: decodes each request, calls the
 * store, encodes the outcome. A request that fails with {@code not_leader} naming a leader is
 * forwarded to that leader once, through {@link Forwarder}, so clients need not find the leader.
 */
public final class KvService implements RpcHandler {
    /** Reaches the leader for forwarded requests. */
    @FunctionalInterface
    public interface Forwarder {
        /**
         * Sends an already-encoded client request to {@code leader}; completes with its reply bytes.
         * Empty when this node cannot reach {@code leader}.
         */
        Optional<CompletableFuture<byte[]>> forward(NodeId leader, byte[] request);
    }

    private final KeyValueStore store;
    private final Forwarder forwarder;

    public KvService(KeyValueStore store, Forwarder forwarder) {
        this.store = store;
        this.forwarder = forwarder;
    }

    @Override
    public CompletableFuture<byte[]> call(NodeId peer, byte[] request) {
        int hops;
        KvRequest decoded;
        try {
            hops = ClientProtocol.hops(request);
            decoded = KvWire.decodeRequest(ClientProtocol.body(request));
        } catch (WireFormatException e) {
            return done(KvException.of(ErrorCode.INVALID_ARGUMENT, "malformed request: " + e.getMessage()));
        }
        if (!(decoded instanceof KvRequest.Call call)) {
            return done(KvException.of(ErrorCode.INVALID_ARGUMENT, "a watch must be opened as a stream"));
        }
        return call.dispatch(store)
                .handle((result, failure) -> {
                    if (failure != null && hops < ClientProtocol.MAX_HOPS) {
                        Optional<CompletableFuture<byte[]>> forwarded = leaderOf(failure)
                                .flatMap(leader -> forwarder.forward(
                                        leader, ClientProtocol.request(hops + 1, ClientProtocol.body(request))));
                        if (forwarded.isPresent()) {
                            return forwarded.get();
                        }
                    }
                    return CompletableFuture.completedFuture(KvWire.encodeOutcome(result, failure));
                })
                .thenCompose(f -> f);
    }

    @Override
    public AutoCloseable watch(NodeId peer, byte[] request, EventSink sink) {
        KvRequest.Watch watch;
        try {
            ClientProtocol.hops(request);
            if (!(KvWire.decodeRequest(ClientProtocol.body(request)) instanceof KvRequest.Watch w)) {
                throw new WireFormatException("a call cannot be opened as a watch");
            }
            watch = w;
        } catch (WireFormatException e) {
            sink.event(ClientProtocol.cancelled(KvException.of(ErrorCode.INVALID_ARGUMENT, e.getMessage())));
            sink.end("");
            return () -> {};
        }
        var handle = new AtomicReference<Watch>();
        var closed = new java.util.concurrent.atomic.AtomicBoolean();
        store.watch(watch.range(), watch.startRevision(), watch.prevKv(), new WatchListener() {
                    @Override
                    public void onEvents(List<WatchEvent> events) {
                        for (WatchEvent event : events) {
                            if (!sink.event(ClientProtocol.event(event))) {
                                Watch w = handle.get();
                                if (w != null) {
                                    w.close();
                                }
                                return;
                            }
                        }
                    }

                    @Override
                    public void onCancelled(KvException reason) {
                        sink.event(ClientProtocol.cancelled(reason));
                        sink.end("");
                    }
                })
                .whenComplete((w, failure) -> {
                    if (failure != null) {
                        sink.event(ClientProtocol.cancelled(unwrap(failure)));
                        sink.end("");
                    } else {
                        handle.set(w);
                        sink.event(ClientProtocol.registered());
                        if (closed.get()) {
                            w.close();
                        }
                    }
                });
        return () -> {
            closed.set(true);
            Watch w = handle.get();
            if (w != null) {
                w.close();
            }
        };
    }

    private static Optional<NodeId> leaderOf(Throwable failure) {
        KvException kv = unwrap(failure);
        if (kv.code() != ErrorCode.NOT_LEADER) {
            return Optional.empty();
        }
        try {
            return kv.leaderId().map(NodeId::parse);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static KvException unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof KvException kv ? kv : KvException.of(ErrorCode.UNAVAILABLE, "server failed: " + cause);
    }

    private static CompletableFuture<byte[]> done(KvException error) {
        return CompletableFuture.completedFuture(KvWire.encodeResponse(error));
    }
}
