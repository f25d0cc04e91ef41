package dev.aspen.tickets;

import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;

/**
 * What a member needs to take part in a cluster: its public id and its secret key. A node gets
 * them from its {@link Cookie} ({@link Cookie#credentials()}) or, when it joined with a join ticket,
 * from a member of the cluster (the cookie itself never leaves the node that was given it).
 *
 * <p>Immutable; {@link #toString()} never reveals the key.
 */
public record ClusterCredentials(ClusterId clusterId, ClusterKey clusterKey) {
    public ClusterCredentials {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(clusterKey, "clusterKey");
    }

    /** {@code ticket} with this cluster's join secret added: whoever holds it can fetch the key. */
    public ClusterTicket joinTicket(ClusterTicket ticket) {
        requireSameCluster(ticket);
        return new ClusterTicket(clusterId, Optional.of(clusterKey.joinSecret()), ticket.peers());
    }

    /**
     * Checks that these credentials are the ones join ticket {@code ticket} stands for: the same
     * cluster id, and a key that derives exactly the ticket's join secret.
     *
     * @throws FormatException naming the mismatch, or if the ticket carries no join secret
     */
    public void requireMatches(ClusterTicket ticket) {
        requireSameCluster(ticket);
        byte[] secret = ticket.joinSecret()
                .orElseThrow(() -> new FormatException("the ticket for cluster " + clusterId + " has no join secret"));
        if (!MessageDigest.isEqual(secret, clusterKey.joinSecret())) {
            throw new FormatException("the cluster key of cluster " + clusterId
                    + " does not derive the ticket's join secret: the key or the ticket is not genuine");
        }
    }

    private void requireSameCluster(ClusterTicket ticket) {
        if (!ticket.clusterId().equals(clusterId)) {
            throw new FormatException(
                    "the ticket is for cluster " + ticket.clusterId() + ", these credentials for cluster " + clusterId);
        }
    }
}
