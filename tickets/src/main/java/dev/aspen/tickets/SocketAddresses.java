package dev.aspen.tickets;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Parses and formats IP socket addresses as {@code 1.2.3.4:7000} and {@code [::1]:7000}. */
public final class SocketAddresses {
    private SocketAddresses() {}

    /**
     * Parses an IP literal and port. Never performs a DNS lookup.
     *
     * @throws FormatException naming the problem: missing port, bad port, or a host that is not an
     *     IPv4 or bracketed IPv6 literal
     */
    public static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new FormatException("address '" + text + "' has no port; expected HOST:PORT");
        }
        String host = text.substring(0, colon);
        int port = parsePort(text.substring(colon + 1), text);
        InetAddress ip;
        if (host.startsWith("[") && host.endsWith("]") && host.length() > 2) {
            ip = parseIpv6(host, text);
        } else {
            ip = parseIpv4(host, text);
        }
        return new InetSocketAddress(ip, port);
    }

    /** Formats as {@link #parse} reads it. */
    public static String format(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        String host = ip instanceof Inet6Address ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress();
        return host + ":" + address.getPort();
    }

    private static int parsePort(String digits, String text) {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new FormatException("address '" + text + "' has port '" + digits + "'; ports are 1 to 65535");
        }
        int port = Integer.parseInt(digits);
        if (port < 1 || port > 65535) {
            throw new FormatException("address '" + text + "' has port " + port + "; ports are 1 to 65535");
        }
        return port;
    }

    private static InetAddress parseIpv4(String host, String text) {
        String[] parts = host.split("\\.", -1);
        byte[] ip = new byte[4];
        boolean valid = parts.length == 4;
        for (int i = 0; valid && i < 4; i++) {
            String part = parts[i];
            valid = !part.isEmpty()
                    && part.length() <= 3
                    && part.chars().allMatch(c -> c >= '0' && c <= '9')
                    && Integer.parseInt(part) <= 255;
            if (valid) {
                ip[i] = (byte) Integer.parseInt(part);
            }
        }
        if (!valid) {
            throw new FormatException("address '" + text + "' does not start with an IPv4 address or a bracketed "
                    + "IPv6 address such as [::1]; host names are not accepted here");
        }
        return byAddress(ip);
    }

    private static InetAddress parseIpv6(String bracketed, String text) {
        String inner = bracketed.substring(1, bracketed.length() - 1);
        if (!inner.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            throw new FormatException("address '" + text + "' has an invalid IPv6 address");
        }
        try {
            // A bracketed literal is parsed as IPv6 by the JDK and never looked up in DNS.
            return InetAddress.getByName(bracketed);
        } catch (UnknownHostException e) {
            throw new FormatException("address '" + text + "' has an invalid IPv6 address");
        }
    }

    private static InetAddress byAddress(byte[] ip) {
        try {
            return InetAddress.getByAddress(ip);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4-byte addresses are always valid", e);
        }
    }
}
