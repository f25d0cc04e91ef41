package dev.aspen.mesh.quic;

import dev.aspen.tickets.NodeId;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tech.kwik.core.ConnectionTerminatedEvent;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;

/**
 * An outgoing, authenticated connection to a pinned peer. Thread-safe.
 *
 * <p>It remembers why it ended ({@link #awaitCloseReason}), so a caller whose stream failed with
 * Kwik's bare "Connection closed" can tell an idle timeout from a refusal by the peer.
 */
public final class PeerConnection implements AutoCloseable {
    private final NodeId peer;
    private final QuicClientConnection connection;
    private final CompletableFuture<String> closeReason = new CompletableFuture<>();

    PeerConnection(NodeId peer, QuicClientConnection connection) {
        this.peer = peer;
        this.connection = connection;
        connection.setConnectionListener(event -> closeReason.complete(describe(event)));
        if (!connection.isConnected()) {
            closeReason.complete("the connection ended during admission");
        }
    }

    public NodeId peer() {
        return peer;
    }

    /** Opens a bidirectional stream; the caller owns it. */
    public QuicStream openStream() throws IOException {
        return connection.createStream(true);
    }

    /** False once the connection closed, by either side or by idle timeout. */
    public boolean isConnected() {
        return connection.isConnected();
    }

    /**
     * Why the connection ended, waiting up to {@code wait} for Kwik to report it (the report can
     * trail the failure of a stream read by a few milliseconds); empty if it does not, which is
     * also the answer while the connection lives.
     */
    public Optional<String> awaitCloseReason(Duration wait) {
        try {
            return Optional.of(closeReason.get(wait.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException | ExecutionException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        closeReason.complete("closed by this side");
        connection.close();
    }

    static String describe(ConnectionTerminatedEvent event) {
        String reason =
                switch (event.closeReason()) {
                    case IdleTimeout -> "idle timeout";
                    case StatelessReset -> "stateless reset (the peer lost the connection's state)";
                    case ConnectionLost -> "connection lost";
                    case ImmediateClose -> event.closedByPeer() ? "closed by the peer" : "closed by this side";
                };
        if (event.hasApplicationError()) {
            reason += ", application error 0x" + Long.toHexString(event.applicationErrorCode());
        } else if (event.hasTransportError()) {
            reason += ", transport error 0x" + Long.toHexString(event.transportErrorCode());
        }
        String description = event.errorDescription();
        return description == null || description.isBlank() ? reason : reason + " (" + description + ")";
    }
}
