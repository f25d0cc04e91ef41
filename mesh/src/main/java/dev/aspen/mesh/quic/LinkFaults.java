package dev.aspen.mesh.quic;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fault switch for a node's QUIC traffic, for tests: a set of blocked remote socket addresses.
 * Every UDP datagram a {@link QuicEndpoint} configured with it ({@link QuicConfig.Builder#linkFaults})
 * sends to a blocked address, or receives from one, is dropped and counted, on the endpoint's server
 * socket and on the socket of every connection it dials. QUIC sees plain packet loss: connects time
 * out, open connections go silent until their idle timeout, and everything works again after {@link
 * #heal}. No root, firewall or network namespace is needed.
 *
 * <p>What blocking an address cuts. A dialed connection sends from an ephemeral port, and a node's
 * server answers it from its own port. So blocking {@code A} (another node's QUIC address) on node
 * {@code N} stops {@code N}'s dials to {@code A} and anything reaching {@code N} from {@code A}'s
 * server port, but not {@code A}'s dials to {@code N}, which come from ports {@code N} cannot know.
 * To cut a link both ways, block each side's address on the other side (as {@code
 * AspenNode.partition} does). Only QUIC is affected: a node's gossip (TCP) keeps running.
 *
 * <p>Thread-safe. At most {@link #MAX_BLOCKED} addresses are blocked at a time. An endpoint
 * configured without a {@code LinkFaults} uses plain sockets and pays nothing.
 */
public final class LinkFaults {
    /** Most addresses blocked at once. */
    public static final int MAX_BLOCKED = 1024;

    private final Set<InetSocketAddress> blocked = ConcurrentHashMap.newKeySet();
    private final LongAdder dropped = new LongAdder();

    /**
     * Drops every datagram to or from {@code remote} from now on. Idempotent.
     *
     * @throws IllegalArgumentException if {@code remote} is unresolved, has port 0 or a wildcard
     *     address
     * @throws IllegalStateException if {@link #MAX_BLOCKED} addresses are already blocked
     */
    public void block(InetSocketAddress remote) {
        InetSocketAddress address = checked(remote);
        synchronized (blocked) {
            if (!blocked.contains(address) && blocked.size() >= MAX_BLOCKED) {
                throw new IllegalStateException(
                        "cannot block " + remote + ": " + MAX_BLOCKED + " addresses are blocked already");
            }
            blocked.add(address);
        }
    }

    /**
     * Lets datagrams to and from {@code remote} through again.
     *
     * @return whether it was blocked
     * @throws IllegalArgumentException as {@link #block} for an address that could never be blocked
     */
    public boolean heal(InetSocketAddress remote) {
        return blocked.remove(checked(remote));
    }

    /** Unblocks every address. */
    public void healAll() {
        blocked.clear();
    }

    /** The blocked addresses now, ordered by address text then port. */
    public List<InetSocketAddress> blocked() {
        return blocked.stream()
                .sorted(Comparator.comparing(
                                (InetSocketAddress a) -> a.getAddress().getHostAddress())
                        .thenComparingInt(InetSocketAddress::getPort))
                .toList();
    }

    /** Datagrams dropped so far, both directions, over every socket using this switch. */
    public long dropped() {
        return dropped.sum();
    }

    /** Whether a datagram to or from {@code address:port} must be dropped; counts it if so. */
    boolean drops(InetAddress address, int port) {
        if (blocked.isEmpty() || address == null || !blocked.contains(new InetSocketAddress(address, port))) {
            return false;
        }
        dropped.increment();
        return true;
    }

    private static InetSocketAddress checked(InetSocketAddress remote) {
        if (remote == null || remote.isUnresolved()) {
            throw new IllegalArgumentException("cannot block an unresolved address: " + remote);
        }
        if (remote.getPort() == 0 || remote.getAddress().isAnyLocalAddress()) {
            throw new IllegalArgumentException(
                    "a blocked address needs a specific IP and a port other than 0, got " + remote);
        }
        return new InetSocketAddress(remote.getAddress(), remote.getPort());
    }
}
