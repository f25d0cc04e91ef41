package dev.aspen.mesh.cluster;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KvException;
import dev.aspen.mesh.quic.AuthFailure;
import dev.aspen.mesh.quic.AuthenticationException;
import dev.aspen.mesh.quic.Protocol;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.mesh.rpc.PeerConnector;
import dev.aspen.mesh.rpc.RpcClient;
import dev.aspen.mesh.rpc.RpcException;
import dev.aspen.tickets.ClusterCredentials;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.TicketPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * A remote {@link ClusterAdmin}: each call travels to one node of the cluster over pinned,
 * authenticated QUIC ({@value Protocol#ADMIN_ALPN}), served there by {@link AdminService}. That
 * node forwards mutations to the leader itself.
 *
 * <p>Futures fail with the {@link KvException} the node answered (code, message and leader kept),
 * or with {@code unavailable} when no node can be reached, the call times out or the connection is
 * lost. Reads ({@link #status()}, {@link #ticket()}) lost with their connection are retried on the
 * next node; a lost mutation is not (its outcome is unknown) and the next call dials again.
 * {@link #snapshot()} snapshots the node this client is connected to ({@link #currentNode()}).
 *
 * <p>Thread-safe. {@link #close()} fails outstanding calls and releases every thread.
 */
public final class AdminClient implements ClusterAdmin, AutoCloseable {
    /** Bound on each call: membership changes wait for a commit, promotions for a catch-up. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Attempts of a read across nodes. */
    static final int MAX_READ_ATTEMPTS = 3;

    private final PeerConnector connector;

    private AdminClient(PeerConnector connector) {
        this.connector = connector;
    }

    /** Settings for admin calls: {@link #DEFAULT_TIMEOUT}, few calls in flight, bounded replies. */
    public static RpcClient.Settings defaultSettings() {
        return new RpcClient.Settings(16, DEFAULT_TIMEOUT, Duration.ofMillis(200), AdminWire.MAX_REPLY_BYTES);
    }

    /**
     * Connects to the cluster a ticket names. Blocks until one of its nodes admits this client.
     *
     * @param cookie the cluster's cookie: clients prove themselves with the key derived from it
     * @throws dev.aspen.tickets.FormatException if the cookie is invalid or of another cluster
     * @throws IOException naming every node tried, when none can be reached or admits the client
     */
    public static AdminClient connect(ClusterTicket ticket, String cookie) throws IOException {
        return connect(ticket.peers(), PeerConnector.clusterKey(ticket, cookie), defaultSettings());
    }

    /**
     * Connects to the first of {@code peers} that admits this client, trying them in order; see
     * {@link #connect(ClusterTicket, String)}.
     */
    public static AdminClient connect(List<TicketPeer> peers, ClusterKey clusterKey, RpcClient.Settings settings)
            throws IOException {
        return connect(peers, clusterKey, settings, QuicConfig.builder().build());
    }

    /** As {@link #connect(List, ClusterKey, RpcClient.Settings)}, dialing with {@code dialer} (a node's link faults). */
    public static AdminClient connect(
            List<TicketPeer> peers, ClusterKey clusterKey, RpcClient.Settings settings, QuicConfig dialer)
            throws IOException {
        return new AdminClient(PeerConnector.open(peers, clusterKey, Protocol.ADMIN_ALPN, settings, dialer));
    }

    @Override
    public CompletableFuture<ClusterStatus> status() {
        return call(AdminWire.Request.of(AdminWire.Op.STATUS), AdminWire::decodeStatus, true);
    }

    @Override
    public CompletableFuture<ClusterStatus> addLearner(NodeId node, List<InetSocketAddress> quicAddresses) {
        var request = new AdminWire.Request(AdminWire.Op.ADD_LEARNER, Optional.of(node), quicAddresses);
        return call(request, AdminWire::decodeStatus, false);
    }

    @Override
    public CompletableFuture<ClusterStatus> promote(NodeId node) {
        return call(AdminWire.Request.of(AdminWire.Op.PROMOTE, node), AdminWire::decodeStatus, false);
    }

    @Override
    public CompletableFuture<ClusterStatus> remove(NodeId node) {
        return call(AdminWire.Request.of(AdminWire.Op.REMOVE, node), AdminWire::decodeStatus, false);
    }

    @Override
    public CompletableFuture<ClusterStatus> transferLeadership(Optional<NodeId> to) {
        var request = new AdminWire.Request(AdminWire.Op.TRANSFER, to, List.of());
        return call(request, AdminWire::decodeStatus, false);
    }

    @Override
    public CompletableFuture<Long> snapshot() {
        return call(AdminWire.Request.of(AdminWire.Op.SNAPSHOT), AdminWire::decodeSnapshot, false);
    }

    /**
     * Asks the node for the cluster's ticket. Blocks up to the call timeout.
     *
     * @throws KvException as the futures of the other calls fail
     */
    @Override
    public ClusterTicket ticket() {
        return read(AdminWire.Op.TICKET, AdminWire::decodeTicket);
    }

    /** Asks the node for the cluster's join ticket; blocks and fails as {@link #ticket()} does. */
    @Override
    public ClusterTicket joinTicket() {
        return read(AdminWire.Op.JOIN_TICKET, AdminWire::decodeTicket);
    }

    /**
     * Asks the node for the cluster id and key, as a node joining with a join ticket does. Blocks
     * and fails as {@link #ticket()} does. The answer is the node's word: check it against the join
     * ticket ({@link ClusterCredentials#requireMatches}) before trusting it, as {@link
     * #fetchCredentials} does.
     */
    public ClusterCredentials clusterCredentials() {
        return read(AdminWire.Op.CLUSTER_KEY, AdminWire::decodeCredentials);
    }

    /**
     * Fetches the cluster id and key with join ticket {@code joinTicket}: dials its nodes (pinned)
     * proving the ticket's join key, asks the first that admits it, and checks that the answer is
     * the ticket's cluster and derives exactly the ticket's join secret. Blocks while dialing and
     * up to the call timeout.
     *
     * @throws FormatException if the ticket has no join secret, every node refused the secret
     *     ({@code BAD_MAC}: the cookie changed since the ticket was made, which revokes it), or the
     *     answer does not match the ticket
     * @throws IOException naming every node tried, when none can be reached
     * @throws KvException when the node cannot answer
     */
    public static ClusterCredentials fetchCredentials(ClusterTicket joinTicket) throws IOException {
        ClusterCredentials credentials;
        try (AdminClient client =
                connect(joinTicket.peers(), PeerConnector.clientKey(joinTicket, Optional.empty()), defaultSettings())) {
            credentials = client.clusterCredentials();
        } catch (AuthenticationException e) {
            if (e.reason() != AuthFailure.BAD_MAC) {
                throw e;
            }
            throw new FormatException("the cluster refused this ticket's join secret (" + e.reason()
                    + "): the cluster's cookie was changed since the ticket was made (that revokes join tickets),"
                    + " or the ticket is not a join ticket of this cluster; get a new one with"
                    + " `aspen cluster ticket --join`. " + e.getMessage());
        } catch (IOException e) {
            throw new IOException("cannot fetch the cluster key with the join ticket: " + e.getMessage(), e);
        }
        credentials.requireMatches(joinTicket);
        return credentials;
    }

    private <T> T read(AdminWire.Op op, Function<byte[], T> decode) {
        try {
            return call(AdminWire.Request.of(op), decode, true).join();
        } catch (CompletionException e) {
            throw AdminWire.unwrap(e);
        }
    }

    /** The node this client talks to now, if connected. */
    public Optional<NodeId> currentNode() {
        return connector.currentNode();
    }

    private <T> CompletableFuture<T> call(AdminWire.Request request, Function<byte[], T> decode, boolean read) {
        var result = new CompletableFuture<T>();
        attempt(AdminWire.encode(request), decode, read, 1, result);
        return result;
    }

    private <T> void attempt(
            byte[] request, Function<byte[], T> decode, boolean read, int attempt, CompletableFuture<T> result) {
        RpcClient rpc;
        try {
            rpc = connector.connection();
        } catch (IOException e) {
            result.completeExceptionally(KvException.of(ErrorCode.UNAVAILABLE, e.getMessage()));
            return;
        }
        rpc.call(request).whenComplete((reply, failure) -> {
            if (failure == null) {
                try {
                    result.complete(decode.apply(reply));
                } catch (KvException e) {
                    result.completeExceptionally(e);
                }
                return;
            }
            RpcException.Kind kind = failure instanceof RpcException e ? e.kind() : RpcException.Kind.CONNECTION_LOST;
            if (kind == RpcException.Kind.CONNECTION_LOST) {
                connector.moveOn(rpc, Optional.empty());
                if (read && attempt < MAX_READ_ATTEMPTS) {
                    attempt(request, decode, read, attempt + 1, result);
                    return;
                }
            }
            boolean maybeApplied = kind == RpcException.Kind.CONNECTION_LOST || kind == RpcException.Kind.TIMEOUT;
            String outcome = !read && maybeApplied ? "; the change may or may not have been made" : "";
            result.completeExceptionally(
                    KvException.of(ErrorCode.UNAVAILABLE, "admin call failed: " + failure.getMessage() + outcome));
        });
    }

    /** Fails outstanding calls and closes the connection. Idempotent. */
    @Override
    public void close() {
        connector.close();
    }
}
