package dev.aspen.tickets.internal;

import dev.aspen.tickets.ClusterId;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.TicketPeer;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The binary payload of a {@link ClusterTicket}, version 1:
 *
 * <pre>
 * u8  version                 = 1
 * 16  cluster id
 * u8  flags                   bit 0: join secret present; other bits must be 0
 * 32  join secret             only if flag bit 0 is set
 * u8  peer count              1..16
 * per peer:
 *   32  node id
 *   u8  address count         1..8
 *   per address:
 *     u8  family              4 or 6
 *     4|16 address bytes      an IPv6 address must not be IPv4-mapped
 *     u16 port                1..65535, big-endian
 * </pre>
 *
 * Decoding rejects anything encoding would not produce, so every ticket has one text form.
 */
public final class TicketCodec {
    private static final int FLAG_JOIN_SECRET = 1;

    private TicketCodec() {}

    /** Encodes a (valid by construction) ticket. */
    public static byte[] encode(ClusterTicket ticket) {
        var out = new ByteArrayOutputStream(128);
        out.write(ClusterTicket.VERSION);
        out.writeBytes(ticket.clusterId().toBytes());
        Optional<byte[]> secret = ticket.joinSecret();
        out.write(secret.isPresent() ? FLAG_JOIN_SECRET : 0);
        secret.ifPresent(out::writeBytes);
        out.write(ticket.peers().size());
        for (TicketPeer peer : ticket.peers()) {
            out.writeBytes(peer.nodeId().toBytes());
            out.write(peer.addresses().size());
            for (InetSocketAddress address : peer.addresses()) {
                byte[] ip = address.getAddress().getAddress();
                out.write(ip.length == 4 ? 4 : 6);
                out.writeBytes(ip);
                out.write(address.getPort() >>> 8);
                out.write(address.getPort() & 0xff);
            }
        }
        return out.toByteArray();
    }

    /**
     * Decodes a payload.
     *
     * @throws FormatException naming the first problem found
     */
    public static ClusterTicket decode(byte[] payload) {
        var in = new Reader(payload);
        if (payload.length == 0) {
            throw new FormatException("ticket is empty after the 'aspen' prefix");
        }
        int version = in.u8("version");
        if (version != ClusterTicket.VERSION) {
            throw new FormatException("ticket version " + version + " is not supported; this node reads version "
                    + ClusterTicket.VERSION);
        }
        ClusterId clusterId = ClusterId.ofBytes(in.bytes(ClusterId.LENGTH, "cluster id"));
        int flags = in.u8("flags");
        if ((flags & ~FLAG_JOIN_SECRET) != 0) {
            throw new FormatException("ticket has unknown flags 0x" + Integer.toHexString(flags));
        }
        Optional<byte[]> secret = (flags & FLAG_JOIN_SECRET) != 0
                ? Optional.of(in.bytes(ClusterTicket.JOIN_SECRET_LENGTH, "join secret"))
                : Optional.empty();
        int peerCount = in.u8("peer count");
        if (peerCount == 0 || peerCount > ClusterTicket.MAX_PEERS) {
            throw new FormatException(
                    "ticket has " + peerCount + " peers; it must have 1 to " + ClusterTicket.MAX_PEERS);
        }
        var peers = new ArrayList<TicketPeer>(peerCount);
        for (int p = 0; p < peerCount; p++) {
            peers.add(readPeer(in, p));
        }
        if (in.remaining() > 0) {
            throw new FormatException("ticket has " + in.remaining() + " trailing bytes after its last peer");
        }
        return new ClusterTicket(clusterId, secret, peers);
    }

    private static TicketPeer readPeer(Reader in, int index) {
        String where = "peer " + (index + 1);
        NodeId nodeId = NodeId.ofBytes(in.bytes(NodeId.LENGTH, where + " node id"));
        int count = in.u8(where + " address count");
        if (count == 0 || count > TicketPeer.MAX_ADDRESSES) {
            throw new FormatException(
                    where + " has " + count + " addresses; it must have 1 to " + TicketPeer.MAX_ADDRESSES);
        }
        List<InetSocketAddress> addresses = new ArrayList<>(count);
        for (int a = 0; a < count; a++) {
            addresses.add(readAddress(in, where + " address " + (a + 1)));
        }
        return new TicketPeer(nodeId, addresses);
    }

    private static InetSocketAddress readAddress(Reader in, String where) {
        int family = in.u8(where + " family");
        byte[] ip;
        if (family == 4) {
            ip = in.bytes(4, where);
        } else if (family == 6) {
            ip = in.bytes(16, where);
        } else {
            throw new FormatException(where + " has family " + family + "; expected 4 (IPv4) or 6 (IPv6)");
        }
        int port = in.u8(where + " port") << 8 | in.u8(where + " port");
        if (port == 0) {
            throw new FormatException(where + " has port 0; ports must be 1 to 65535");
        }
        InetAddress address;
        try {
            address = InetAddress.getByAddress(ip);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 and 16 byte addresses are always valid", e);
        }
        if (family == 6 && address instanceof Inet4Address) {
            throw new FormatException(where + " is an IPv4-mapped IPv6 address; tickets store it as IPv4");
        }
        return new InetSocketAddress(address, port);
    }

    private static final class Reader {
        private final byte[] data;
        private int position;

        Reader(byte[] data) {
            this.data = data;
        }

        int remaining() {
            return data.length - position;
        }

        int u8(String field) {
            require(1, field);
            return data[position++] & 0xff;
        }

        byte[] bytes(int n, String field) {
            require(n, field);
            byte[] out = java.util.Arrays.copyOfRange(data, position, position + n);
            position += n;
            return out;
        }

        private void require(int n, String field) {
            if (remaining() < n) {
                throw new FormatException(
                        "ticket is truncated: " + field + " needs " + n + " bytes, " + remaining() + " left");
            }
        }
    }
}
