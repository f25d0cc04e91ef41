package dev.aspen.discovery;

import dev.aspen.discovery.internal.MalformedException;
import dev.aspen.discovery.internal.WireReader;
import dev.aspen.discovery.internal.WireWriter;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * What a node tells the cluster about itself: its identity, where to reach it, its role and an
 * incarnation that grows every time the node restarts or changes its record. Immutable.
 *
 * <p>Binary form (version 1, big-endian): {@code u8 version=1 | 32 nodeId | u16 spkiLength |
 * spki | addr quic | addr gossip | u8 hasHttp (0/1) | [addr http] | u8 role | i64 incarnation},
 * where {@code addr = u8 family (4|6) | 4 or 16 address bytes | u16 port (1..65535)}. Decoding is
 * strict: unknown versions, lengths out of range and trailing bytes are rejected.
 *
 * <p>The constructor does not check that the SPKI hashes to the NodeId: that is a verification
 * step ({@link SignedPeerRecord#verify}), so tests can build forged records.
 *
 * @param nodeId the node's identity
 * @param spki DER SubjectPublicKeyInfo of the node key (1..{@value #MAX_SPKI_BYTES} bytes)
 * @param quicAddress where the node's QUIC endpoint listens
 * @param gossipAddress where the node's SWIM (TCP) transport listens
 * @param httpAddress the node's HTTP API, if it serves one
 * @param role what the node offers the cluster
 * @param incarnation grows with each restart or record change; never negative
 */
public record PeerRecord(
        NodeId nodeId,
        byte[] spki,
        InetSocketAddress quicAddress,
        InetSocketAddress gossipAddress,
        Optional<InetSocketAddress> httpAddress,
        Role role,
        long incarnation) {
    /** The encoding version this code writes and the only one it reads. */
    public static final int VERSION = 1;
    /** Longest accepted SubjectPublicKeyInfo. A P-256 key takes 91 bytes. */
    public static final int MAX_SPKI_BYTES = 512;
    /** Longest encoded record. */
    public static final int MAX_ENCODED_BYTES = 1024;

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if the SPKI is empty or too long, an address is unresolved
     *     or has port 0, or the incarnation is negative
     */
    public PeerRecord {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(httpAddress, "httpAddress");
        if (spki.length == 0 || spki.length > MAX_SPKI_BYTES) {
            throw new IllegalArgumentException("spki must be 1 to " + MAX_SPKI_BYTES + " bytes, got " + spki.length);
        }
        spki = spki.clone();
        checkAddress("quicAddress", quicAddress);
        checkAddress("gossipAddress", gossipAddress);
        httpAddress.ifPresent(address -> checkAddress("httpAddress", address));
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation must not be negative, got " + incarnation);
        }
    }

    private static void checkAddress(String field, InetSocketAddress address) {
        Objects.requireNonNull(address, field);
        if (address.isUnresolved() || address.getPort() == 0) {
            throw new IllegalArgumentException(field + " must be an IP address with a port, got " + address);
        }
    }

    /** A copy of the DER SubjectPublicKeyInfo. */
    @Override
    public byte[] spki() {
        return spki.clone();
    }

    /** The same record with another role and incarnation. */
    public PeerRecord with(Role newRole, long newIncarnation) {
        return new PeerRecord(nodeId, spki, quicAddress, gossipAddress, httpAddress, newRole, newIncarnation);
    }

    /** The version-1 binary form described in the class comment. */
    public byte[] encode() {
        var out = new WireWriter()
                .u8(VERSION)
                .bytes(nodeId.toBytes())
                .u16(spki.length)
                .bytes(spki)
                .address(quicAddress)
                .address(gossipAddress)
                .u8(httpAddress.isPresent() ? 1 : 0);
        httpAddress.ifPresent(out::address);
        return out.u8(role.code()).i64(incarnation).toBytes();
    }

    /**
     * Decodes the binary form.
     *
     * @throws RecordRejectedException with reason {@link RejectReason#MALFORMED} naming the problem
     */
    public static PeerRecord decode(byte[] bytes) {
        if (bytes.length > MAX_ENCODED_BYTES) {
            throw new RecordRejectedException(
                    RejectReason.MALFORMED, "peer record is " + bytes.length + " bytes, limit " + MAX_ENCODED_BYTES);
        }
        try {
            var in = new WireReader("peer record", bytes);
            int version = in.u8("version");
            if (version != VERSION) {
                throw new MalformedException("peer record has version " + version + ", this node reads " + VERSION);
            }
            NodeId nodeId = NodeId.ofBytes(in.bytes(NodeId.LENGTH, "node id"));
            byte[] spki = in.sized(in.u16("spki length"), 1, MAX_SPKI_BYTES, "spki");
            InetSocketAddress quic = in.address("quic address");
            InetSocketAddress gossip = in.address("gossip address");
            Optional<InetSocketAddress> http =
                    switch (in.u8("http flag")) {
                        case 0 -> Optional.empty();
                        case 1 -> Optional.of(in.address("http address"));
                        default -> throw new MalformedException("peer record has an http flag other than 0 or 1");
                    };
            Role role = Role.ofCode(in.u8("role"));
            long incarnation = in.i64("incarnation");
            in.end();
            return new PeerRecord(nodeId, spki, quic, gossip, http, role, incarnation);
        } catch (MalformedException | IllegalArgumentException e) {
            throw new RecordRejectedException(RejectReason.MALFORMED, e.getMessage());
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PeerRecord that
                && nodeId.equals(that.nodeId)
                && Arrays.equals(spki, that.spki)
                && quicAddress.equals(that.quicAddress)
                && gossipAddress.equals(that.gossipAddress)
                && httpAddress.equals(that.httpAddress)
                && role == that.role
                && incarnation == that.incarnation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodeId, Arrays.hashCode(spki), quicAddress, gossipAddress, httpAddress, role, incarnation);
    }

    @Override
    public String toString() {
        return "PeerRecord[" + nodeId + " quic=" + SocketAddresses.format(quicAddress) + " gossip="
                + SocketAddresses.format(gossipAddress)
                + httpAddress.map(a -> " http=" + SocketAddresses.format(a)).orElse("")
                + " role=" + role + " incarnation=" + incarnation + "]";
    }
}
