package dev.aspen.mesh.quic;

import dev.aspen.tickets.NodeId;
import java.io.IOException;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;

/** An outgoing, authenticated connection to a pinned peer. Thread-safe. */
public final class PeerConnection implements AutoCloseable {
    private final NodeId peer;
    private final QuicClientConnection connection;

    PeerConnection(NodeId peer, QuicClientConnection connection) {
        this.peer = peer;
        this.connection = connection;
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

    @Override
    public void close() {
        connection.close();
    }
}
