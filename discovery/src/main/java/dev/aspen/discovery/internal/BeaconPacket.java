package dev.aspen.discovery.internal;

import dev.aspen.tickets.ClusterId;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.NodeId;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * One LAN beacon announcement. Binary form (version 1, big-endian): {@code u8 version=1 | 16
 * clusterId | 32 nodeId | i64 timestampMillis | 16 nonce | addr gossip | 32 mac}, where {@code addr}
 * is as in peer records and the MAC is {@link ClusterKey#mac} with purpose {@link #CONTEXT} over all
 * preceding bytes. At most {@value #MAX_BYTES} bytes.
 *
 * @param clusterId the announcing node's cluster
 * @param nodeId the announcing node (lets a node ignore its own beacons; proves nothing by itself)
 * @param timestampMillis the sender's wall clock when sending
 * @param nonce 16 random bytes, unique per packet
 * @param gossipAddress where the sender's SWIM transport listens
 */
public record BeaconPacket(
        ClusterId clusterId, NodeId nodeId, long timestampMillis, byte[] nonce, InetSocketAddress gossipAddress) {
    /** The format version written and read. */
    public static final int VERSION = 1;
    /** MAC purpose label. */
    public static final String CONTEXT = "aspen beacon v1";
    /** Nonce length in bytes. */
    public static final int NONCE_BYTES = 16;
    /** Largest packet a receiver accepts (a v1 packet is 124 bytes at most). */
    public static final int MAX_BYTES = 256;

    /** Copies the nonce. */
    public BeaconPacket {
        if (nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("nonce must be " + NONCE_BYTES + " bytes, got " + nonce.length);
        }
        nonce = nonce.clone();
    }

    /** A copy of the nonce. */
    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    /** Encodes and MACs with {@code clusterKey}. */
    public byte[] encode(ClusterKey clusterKey) {
        byte[] body = new WireWriter()
                .u8(VERSION)
                .bytes(clusterId.toBytes())
                .bytes(nodeId.toBytes())
                .i64(timestampMillis)
                .bytes(nonce)
                .address(gossipAddress)
                .toBytes();
        return new WireWriter().bytes(body).bytes(clusterKey.mac(CONTEXT, body)).toBytes();
    }

    /**
     * Decodes {@code packet} and checks it belongs to {@code clusterId} and carries a valid MAC.
     *
     * @throws BeaconRejectedException naming the problem: {@code MALFORMED}, {@code OTHER_CLUSTER}
     *     or {@code BAD_MAC}
     */
    public static BeaconPacket decode(byte[] packet, ClusterId clusterId, ClusterKey clusterKey) {
        if (packet.length > MAX_BYTES) {
            throw new BeaconRejectedException(
                    BeaconRejectedException.Reason.MALFORMED,
                    "beacon of " + packet.length + " bytes, limit " + MAX_BYTES);
        }
        try {
            var in = new WireReader("beacon", packet);
            int version = in.u8("version");
            if (version != VERSION) {
                throw new MalformedException("beacon has version " + version + ", this node reads " + VERSION);
            }
            ClusterId cluster = ClusterId.ofBytes(in.bytes(ClusterId.LENGTH, "cluster id"));
            if (!cluster.equals(clusterId)) {
                throw new BeaconRejectedException(
                        BeaconRejectedException.Reason.OTHER_CLUSTER, "beacon of cluster " + cluster);
            }
            NodeId nodeId = NodeId.ofBytes(in.bytes(NodeId.LENGTH, "node id"));
            long timestamp = in.i64("timestamp");
            byte[] nonce = in.bytes(NONCE_BYTES, "nonce");
            InetSocketAddress gossip = in.address("gossip address");
            int bodyLength = packet.length - in.remaining();
            byte[] mac = in.bytes(ClusterKey.MAC_LENGTH, "mac");
            in.end();
            if (!clusterKey.verify(mac, CONTEXT, Arrays.copyOf(packet, bodyLength))) {
                throw new BeaconRejectedException(BeaconRejectedException.Reason.BAD_MAC, "beacon MAC does not verify");
            }
            return new BeaconPacket(cluster, nodeId, timestamp, nonce, gossip);
        } catch (MalformedException | IllegalArgumentException e) {
            throw new BeaconRejectedException(BeaconRejectedException.Reason.MALFORMED, e.getMessage());
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BeaconPacket that
                && clusterId.equals(that.clusterId)
                && nodeId.equals(that.nodeId)
                && timestampMillis == that.timestampMillis
                && Arrays.equals(nonce, that.nonce)
                && gossipAddress.equals(that.gossipAddress);
    }

    @Override
    public int hashCode() {
        return 31 * nodeId.hashCode() + Arrays.hashCode(nonce);
    }

    @Override
    public String toString() {
        return "BeaconPacket[" + nodeId + " at " + gossipAddress + " t=" + timestampMillis + "]";
    }
}
