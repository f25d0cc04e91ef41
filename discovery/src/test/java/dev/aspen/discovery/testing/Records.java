package dev.aspen.discovery.testing;

import dev.aspen.discovery.PeerRecord;
import dev.aspen.discovery.Role;
import dev.aspen.tickets.NodeId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.util.Optional;

/** Peer records for unit tests. */
public final class Records {
    private Records() {}

    /** A loopback address with {@code port}. */
    public static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** A record for {@code keys} with gossip port {@code gossipPort}. */
    public static PeerRecord of(KeyPair keys, int gossipPort, long incarnation) {
        return new PeerRecord(
                NodeId.of(keys.getPublic()),
                keys.getPublic().getEncoded(),
                loopback(4433),
                loopback(gossipPort),
                Optional.of(loopback(8080)),
                Role.VOTER,
                incarnation);
    }
}
