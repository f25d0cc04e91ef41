package dev.aspen.mesh.quic;

import dev.aspen.tickets.NodeId;
import java.util.function.Predicate;

/**
 * An application protocol served by a {@link QuicEndpoint}, selected by ALPN.
 *
 * @param alpn the ALPN id, e.g. {@code aspen/raft/1}
 * @param admits which authenticated dialers may use it (e.g. only known cluster members for Raft);
 *     called on a handler thread, must not block
 * @param handler serves each stream an admitted dialer opens
 * @param acceptsJoinKey whether a dialer may also prove itself with the cluster's join key (it
 *     holds only a join ticket) instead of the cluster key; only for protocols a newcomer needs to
 *     fetch the cluster key and join (admin, client), never for Raft
 */
public record Protocol(String alpn, Predicate<NodeId> admits, StreamHandler handler, boolean acceptsJoinKey) {
    /** Node-to-node Raft traffic. */
    public static final String RAFT_ALPN = "aspen/raft/1";
    /** Client requests. */
    public static final String CLIENT_ALPN = "aspen/client/1";
    /** Cluster administration (membership, leadership, snapshots, the ticket). */
    public static final String ADMIN_ALPN = "aspen/admin/1";

    /** A protocol that admits only dialers proving the cluster key. */
    public Protocol(String alpn, Predicate<NodeId> admits, StreamHandler handler) {
        this(alpn, admits, handler, false);
    }

    /** This protocol, also admitting dialers that prove the cluster's join key. */
    public Protocol acceptingJoinKey() {
        return new Protocol(alpn, admits, handler, true);
    }

    /** Serves the streams of one protocol. */
    @FunctionalInterface
    public interface StreamHandler {
        /**
         * Serves one stream opened by an authenticated, admitted dialer. Runs on a pool thread of its
         * own and may block reading the stream; it owns the stream and must close it. An exception
         * resets the stream, never the connection or the node.
         */
        void onStream(NodeId peer, tech.kwik.core.QuicStream stream) throws Exception;
    }
}
