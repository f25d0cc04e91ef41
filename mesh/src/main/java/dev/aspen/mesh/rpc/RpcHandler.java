package dev.aspen.mesh.rpc;

import dev.aspen.tickets.NodeId;
import java.util.concurrent.CompletableFuture;

/** The application behind an {@link RpcServer}: answers calls and serves watches. */
public interface RpcHandler {
    /**
     * Answers one request. Called on the stream's reader thread: must not block; do slow work
     * asynchronously and complete the future later. A failed future is reported to the caller as
     * {@link RpcException.Kind#REFUSED}: encode application errors in the response instead.
     */
    CompletableFuture<byte[]> call(NodeId peer, byte[] request);

    /**
     * Opens a server stream. Called on the reader thread: must not block. Events go to {@code sink}
     * until the returned handle is closed (the dialer cancelled, or its stream ended) or the handler
     * ends the sink.
     */
    AutoCloseable watch(NodeId peer, byte[] request, EventSink sink);

    /** Where a watch delivers its events. Thread-safe. */
    interface EventSink {
        /** Sends one event; false if the watch is gone (cancelled or the stream failed). */
        boolean event(byte[] event);

        /** Ends the watch; {@code reason} is empty for a normal end. Later calls do nothing. */
        void end(String reason);
    }
}
