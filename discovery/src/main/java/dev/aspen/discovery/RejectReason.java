package dev.aspen.discovery;

/** Why a gossiped peer record was dropped. Each reason has its own counter in {@link PeerDirectory}. */
public enum RejectReason {
    /** The bytes do not follow the signed record or peer record format (or use an unknown version). */
    MALFORMED,
    /** The ClusterKey MAC does not verify: another cluster, or a forger without the cookie. */
    BAD_MAC,
    /** The SPKI does not hash to the record's NodeId, or is not an EC public key. */
    SPKI_MISMATCH,
    /** The node key's signature does not verify. */
    BAD_SIGNATURE,
    /** The incarnation is older than one already accepted for this NodeId (a replay). */
    STALE_INCARNATION,
    /** Same incarnation as the accepted record for this NodeId but different content. */
    CONFLICTING_INCARNATION,
    /** The record's gossip address is not the address of the member that carries it. */
    ADDRESS_MISMATCH,
    /** The directory already holds {@link PeerDirectory#MAX_PEERS} NodeIds and this is a new one. */
    DIRECTORY_FULL
}
