package dev.aspen.discovery.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** ScaleCube's address strings: {@code HOSTADDRESS:PORT} with the IP literal unbracketed. */
public final class Addresses {
    private Addresses() {}

    /** {@code ip:port} as ScaleCube writes member addresses. */
    public static String format(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** Parses a ScaleCube address whose host is an IP literal; empty if it is anything else. Never does DNS. */
    public static Optional<InetSocketAddress> parse(String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        String host = address.substring(0, colon);
        boolean ipv4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = host.contains(":") && host.matches("[0-9a-fA-F:.\\[\\]]+");
        if (!ipv4 && !ipv6) {
            return Optional.empty();
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 1 || port > 65535) {
                return Optional.empty();
            }
            return Optional.of(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (NumberFormatException | UnknownHostException e) {
            return Optional.empty();
        }
    }
}
