package dev.aspen.tickets;

import dev.aspen.tickets.internal.Base32;
import dev.aspen.tickets.internal.TicketCodec;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * Everything a new node or client needs to reach a cluster: its id, an optional join secret, and
 * up to 16 bootstrap peers, each pinned by {@link NodeId}.
 *
 * <p>Text form: {@code aspen} followed by lower-case base32 of a versioned binary payload. The
 * encoding is canonical: equal tickets always give the same text, and {@link #parse} accepts only
 * text {@link #toString()} can produce.
 *
 * @param clusterId the cluster's public id
 * @param joinSecret an optional {@value #JOIN_SECRET_LENGTH}-byte secret that admits a node
 * @param peers 1 to {@value #MAX_PEERS} bootstrap peers with distinct node ids
 */
public record ClusterTicket(ClusterId clusterId, Optional<byte[]> joinSecret, List<TicketPeer> peers) {
    /** Text prefix of every ticket. */
    public static final String PREFIX = "aspen";
    /** The payload version this code writes and reads. */
    public static final int VERSION = 1;
    /** Most bootstrap peers in a ticket. */
    public static final int MAX_PEERS = 16;
    /** Length of the optional join secret in bytes. */
    public static final int JOIN_SECRET_LENGTH = 32;
    /** Largest binary payload accepted when parsing. */
    public static final int MAX_PAYLOAD_BYTES = 4096;

    /**
     * Validates and copies the contents.
     *
     * @throws FormatException if there are no peers or more than {@value #MAX_PEERS}, a
     *     node id appears twice, or the join secret is not {@value #JOIN_SECRET_LENGTH} bytes
     */
    public ClusterTicket {
        if (peers.isEmpty() || peers.size() > MAX_PEERS) {
            throw new FormatException("a ticket needs 1 to " + MAX_PEERS + " peers, got " + peers.size());
        }
        peers = List.copyOf(peers);
        var seen = new HashSet<NodeId>();
        for (TicketPeer peer : peers) {
            if (!seen.add(peer.nodeId())) {
                throw new FormatException("peer " + peer.nodeId() + " appears twice in the ticket");
            }
        }
        if (joinSecret.isPresent() && joinSecret.get().length != JOIN_SECRET_LENGTH) {
            throw new FormatException(
                    "join secret must be " + JOIN_SECRET_LENGTH + " bytes, got " + joinSecret.get().length);
        }
        joinSecret = joinSecret.map(byte[]::clone);
    }

    /** A ticket without a join secret. */
    public static ClusterTicket of(ClusterId clusterId, List<TicketPeer> peers) {
        return new ClusterTicket(clusterId, Optional.empty(), peers);
    }

    /** A copy of the join secret, if any. */
    @Override
    public Optional<byte[]> joinSecret() {
        return joinSecret.map(byte[]::clone);
    }

    /**
     * Parses a ticket's text form. Surrounding whitespace is ignored.
     *
     * @throws FormatException naming the problem: wrong prefix, bad base32, payload over {@value
     *     #MAX_PAYLOAD_BYTES} bytes, unknown version, truncated payload, trailing bytes, a bad peer
     *     or address count, a bad port or address
     */
    public static ClusterTicket parse(String text) {
        String trimmed = text.strip();
        if (!trimmed.startsWith(PREFIX)) {
            throw new FormatException("ticket must start with '" + PREFIX + "'");
        }
        String body = trimmed.substring(PREFIX.length());
        long payloadBytes = body.length() * 5L / 8;
        if (payloadBytes > MAX_PAYLOAD_BYTES) {
            throw new FormatException(
                    "ticket payload is " + payloadBytes + " bytes, more than the " + MAX_PAYLOAD_BYTES + " allowed");
        }
        return TicketCodec.decode(Base32.decode(body, "ticket"));
    }

    /** The canonical text form. */
    @Override
    public String toString() {
        return PREFIX + Base32.encode(TicketCodec.encode(this));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ClusterTicket that
                && clusterId.equals(that.clusterId)
                && peers.equals(that.peers)
                && joinSecret.isPresent() == that.joinSecret.isPresent()
                && (joinSecret.isEmpty() || Arrays.equals(joinSecret.get(), that.joinSecret.get()));
    }

    @Override
    public int hashCode() {
        return 31 * clusterId.hashCode()
                + peers.hashCode()
                + joinSecret.map(Arrays::hashCode).orElse(0);
    }
}
