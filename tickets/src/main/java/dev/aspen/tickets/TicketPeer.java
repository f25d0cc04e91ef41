package dev.aspen.tickets;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;

/**
 * A bootstrap peer in a {@link ClusterTicket}: the NodeId to pin and 1 to {@value #MAX_ADDRESSES}
 * IP socket addresses to try, in order.
 */
public record TicketPeer(NodeId nodeId, List<InetSocketAddress> addresses) {
    /** Most addresses per peer. */
    public static final int MAX_ADDRESSES = 8;

    /**
     * Parses {@code NODEID@HOST:PORT[,HOST:PORT...]}, the form the CLI takes and {@link #toString()}
     * prints.
     *
     * @throws FormatException naming the problem
     */
    public static TicketPeer parse(String text) {
        int at = text.indexOf('@');
        if (at < 0) {
            throw new FormatException("peer '" + text + "' must look like NODEID@HOST:PORT[,HOST:PORT...]");
        }
        NodeId nodeId = NodeId.parse(text.substring(0, at));
        var addresses = new java.util.ArrayList<InetSocketAddress>();
        for (String address : text.substring(at + 1).split(",", -1)) {
            addresses.add(SocketAddresses.parse(address));
        }
        return new TicketPeer(nodeId, addresses);
    }

    @Override
    public String toString() {
        var out = new StringBuilder(nodeId.toString()).append('@');
        for (int i = 0; i < addresses.size(); i++) {
            out.append(i == 0 ? "" : ",").append(SocketAddresses.format(addresses.get(i)));
        }
        return out.toString();
    }

    /**
     * Validates and copies.
     *
     * @throws FormatException if there are no addresses or more than {@value #MAX_ADDRESSES}, an
     *     address is unresolved or carries an IPv6 scope, a port is 0, or an address repeats
     */
    public TicketPeer {
        if (addresses.isEmpty() || addresses.size() > MAX_ADDRESSES) {
            throw new FormatException(
                    "peer " + nodeId + " needs 1 to " + MAX_ADDRESSES + " addresses, got " + addresses.size());
        }
        addresses = List.copyOf(addresses);
        var seen = new HashSet<InetSocketAddress>();
        for (InetSocketAddress address : addresses) {
            if (address.isUnresolved()) {
                throw new FormatException("address " + address.getHostString() + " of peer " + nodeId
                        + " is not an IP address; tickets carry IPv4 or IPv6 addresses only");
            }
            if (address.getAddress() instanceof Inet6Address v6 && v6.getScopeId() != 0) {
                throw new FormatException("address " + address + " of peer " + nodeId
                        + " has an IPv6 scope id, which a ticket cannot carry");
            }
            if (address.getPort() == 0) {
                throw new FormatException("address " + address + " of peer " + nodeId + " has port 0");
            }
            if (!seen.add(address)) {
                throw new FormatException("address " + address + " appears twice for peer " + nodeId);
            }
        }
    }
}
