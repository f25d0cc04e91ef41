package dev.aspen.mesh.cluster;

import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.NodeId;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Cluster administration: membership, leadership, snapshots, the ticket. A node implements it
 * locally; the HTTP API, the admin protocol over QUIC and the CLI all go through it.
 *
 * <p>Futures fail with {@link dev.aspen.kv.KvException}: {@code not_leader} (naming the leader when
 * known) where an operation needs the leader and this node could not forward it, {@code
 * invalid_argument} for a bad request (unknown member, already a member, promoting a voter),
 * {@code failed_precondition} when Raft refuses now (another membership change in progress, two
 * learners already, removal would leave no majority), {@code unavailable} when the node cannot tell
 * (no leader, shutting down). Mutations are sent to the leader by the implementation.
 */
public interface ClusterAdmin {
    /** This node's view of the cluster (works on any member, leader or not). */
    CompletableFuture<ClusterStatus> status();

    /**
     * Adds {@code node} as a learner (a non-voting member that receives the log). {@code
     * quicAddresses} are where the node's QUIC endpoint listens; empty means "take them from
     * discovery". This is also how a new node joins: it starts its Raft member with {@link
     * ClusterStatus#initialMembers()} and then asks for this.
     *
     * @return the status after the change committed
     */
    CompletableFuture<ClusterStatus> addLearner(NodeId node, List<InetSocketAddress> quicAddresses);

    /** Promotes learner {@code node} to voter once it has caught up. */
    CompletableFuture<ClusterStatus> promote(NodeId node);

    /**
     * Removes {@code node} (voter or learner) and tells it to stop. Refused when the remaining voters
     * would be fewer than a majority of the current voters.
     */
    CompletableFuture<ClusterStatus> remove(NodeId node);

    /**
     * Hands leadership to voter {@code to}, or to the most caught-up other voter when empty.
     *
     * @return the status once the new leader is known
     */
    CompletableFuture<ClusterStatus> transferLeadership(Optional<NodeId> to);

    /**
     * Takes a Raft snapshot on this node now.
     *
     * @return the index of the latest snapshot
     */
    CompletableFuture<Long> snapshot();

    /** A ticket naming this cluster and its current voters (the ones this node knows addresses of). */
    ClusterTicket ticket();

    /**
     * {@link #ticket()} with the cluster's join secret (derived from the cluster key): a node given
     * only this ticket can fetch the cluster key and join, and a client can use the cluster with it.
     * Secret like the cookie; changing the cookie revokes every join ticket.
     */
    ClusterTicket joinTicket();
}
