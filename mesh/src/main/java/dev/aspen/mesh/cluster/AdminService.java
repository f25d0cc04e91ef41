package dev.aspen.mesh.cluster;

import dev.aspen.kv.KvException;
import dev.aspen.mesh.quic.Protocol;
import dev.aspen.mesh.rpc.RpcHandler;
import dev.aspen.mesh.rpc.RpcServer;
import dev.aspen.tickets.ClusterCredentials;
import dev.aspen.tickets.NodeId;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a node's {@link ClusterAdmin} over QUIC ({@value Protocol#ADMIN_ALPN}) to {@link
 * AdminClient}s; see {@link AdminWire} for the messages. Every dialer that proves the cluster key
 * is admitted, as for the client protocol; so is one that proves the join key of a join ticket, so
 * that a new node can fetch the cluster key ({@code cluster_key}) with nothing but that ticket.
 *
 * <p>It only translates: the {@link ClusterAdmin} forwards mutations to the leader. Every failure
 * travels back as an error reply with its {@link dev.aspen.kv.ErrorCode}; a malformed or oversized
 * request is answered {@code invalid_argument} and the stream stays usable.
 */
public final class AdminService implements RpcHandler {
    /** Calls in flight per stream (admin traffic is a handful of calls). */
    static final int MAX_IN_FLIGHT_PER_STREAM = 16;

    private static final Logger log = LoggerFactory.getLogger(AdminService.class);

    private final ClusterAdmin admin;
    private final ClusterCredentials credentials;

    /** Serves {@code admin}, and {@code credentials} to dialers that ask for the cluster key. */
    public AdminService(ClusterAdmin admin, ClusterCredentials credentials) {
        this.admin = admin;
        this.credentials = credentials;
    }

    /**
     * The admin protocol for a node's {@link dev.aspen.mesh.quic.QuicEndpoint}.
     *
     * @param maxFrameBytes largest frame read from a stream (the node's {@code
     *     QuicConfig.maxFrameBytes()}); a bigger one ends that stream. Requests over {@value
     *     AdminWire#MAX_REQUEST_BYTES} bytes are answered {@code invalid_argument}.
     */
    public static Protocol protocol(ClusterAdmin admin, ClusterCredentials credentials, int maxFrameBytes) {
        return new Protocol(
                        Protocol.ADMIN_ALPN,
                        peer -> true,
                        new RpcServer(new AdminService(admin, credentials), maxFrameBytes, MAX_IN_FLIGHT_PER_STREAM))
                .acceptingJoinKey();
    }

    /** Decodes the request, calls the {@link ClusterAdmin}, encodes its outcome. Never fails. */
    @Override
    public CompletableFuture<byte[]> call(NodeId peer, byte[] request) {
        CompletableFuture<byte[]> reply;
        try {
            AdminWire.Request decoded = AdminWire.decodeRequest(request);
            if (decoded.op() == AdminWire.Op.CLUSTER_KEY) {
                log.info("giving the cluster key to {} (a node joining with a join ticket)", peer);
            }
            reply = dispatch(decoded);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return reply.handle((bytes, failure) -> {
            if (failure == null) {
                return bytes;
            }
            KvException error = AdminWire.unwrap(failure);
            log.debug("admin request from {} failed: {}", peer, error.getMessage());
            return AdminWire.errorReply(error);
        });
    }

    private CompletableFuture<byte[]> dispatch(AdminWire.Request request) {
        return switch (request.op()) {
            case STATUS -> admin.status().thenApply(AdminWire::statusReply);
            case ADD_LEARNER ->
                admin.addLearner(request.node().orElseThrow(), request.addresses())
                        .thenApply(AdminWire::statusReply);
            case PROMOTE -> admin.promote(request.node().orElseThrow()).thenApply(AdminWire::statusReply);
            case REMOVE -> admin.remove(request.node().orElseThrow()).thenApply(AdminWire::statusReply);
            case TRANSFER -> admin.transferLeadership(request.node()).thenApply(AdminWire::statusReply);
            case SNAPSHOT -> admin.snapshot().thenApply(AdminWire::snapshotReply);
            case TICKET -> CompletableFuture.completedFuture(AdminWire.ticketReply(admin.ticket()));
            case JOIN_TICKET -> CompletableFuture.completedFuture(AdminWire.ticketReply(admin.joinTicket()));
            case CLUSTER_KEY -> CompletableFuture.completedFuture(AdminWire.credentialsReply(credentials));
        };
    }

    /** The admin protocol has no watches: ends every one at once. */
    @Override
    public AutoCloseable watch(NodeId peer, byte[] request, EventSink sink) {
        sink.end("the admin protocol has no watches");
        return () -> {};
    }
}
