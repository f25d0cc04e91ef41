package dev.aspen.discovery;

import java.util.Map;

/**
 * Counters of one {@link Discovery} since it started.
 *
 * @param gossipBytesSent bytes of SWIM messages this node encoded (frame headers excluded)
 * @param gossipBytesReceived bytes of SWIM messages this node decoded
 * @param gossipMessagesSent SWIM messages sent (pings, acks, gossip, syncs, metadata)
 * @param gossipMessagesReceived SWIM messages received
 * @param beaconsSent beacon packets multicast (0 when the beacon is off)
 * @param beaconsAccepted verified beacons from other nodes of this cluster
 * @param beaconsRejected dropped beacon packets by reason name ({@code MALFORMED}, {@code
 *     OTHER_CLUSTER}, {@code BAD_MAC}, {@code STALE}, {@code REPLAYED})
 * @param recordsRejected dropped peer records by reason
 */
public record DiscoveryStats(
        long gossipBytesSent,
        long gossipBytesReceived,
        long gossipMessagesSent,
        long gossipMessagesReceived,
        long beaconsSent,
        long beaconsAccepted,
        Map<String, Long> beaconsRejected,
        Map<RejectReason, Long> recordsRejected) {
    /** Copies the maps. */
    public DiscoveryStats {
        beaconsRejected = Map.copyOf(beaconsRejected);
        recordsRejected = Map.copyOf(recordsRejected);
    }
}
