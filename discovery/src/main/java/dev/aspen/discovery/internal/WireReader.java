package dev.aspen.discovery.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Strict, bounds-checked reads from an untrusted byte array. Every read names the field it is
 * reading, so a malformed input fails with a {@link MalformedException} that says what was wrong
 * and where. Lengths are checked against the caller's limit and the bytes that remain before
 * anything is allocated.
 */
public final class WireReader {
    /** Address family tag for IPv4 in the wire formats. */
    public static final int FAMILY_IPV4 = 4;
    /** Address family tag for IPv6 in the wire formats. */
    public static final int FAMILY_IPV6 = 6;

    private final String what;
    private final ByteBuffer in;

    /** Reads {@code bytes} (not copied); {@code what} names the structure in error messages. */
    public WireReader(String what, byte[] bytes) {
        this.what = what;
        this.in = ByteBuffer.wrap(bytes);
    }

    private void need(int n, String field) {
        if (in.remaining() < n) {
            throw new MalformedException(what + " is truncated: " + field + " needs " + n + " bytes at offset "
                    + in.position() + ", " + in.remaining() + " left");
        }
    }

    /** An unsigned byte. */
    public int u8(String field) {
        need(1, field);
        return in.get() & 0xff;
    }

    /** An unsigned big-endian 16-bit value. */
    public int u16(String field) {
        need(2, field);
        return in.getShort() & 0xffff;
    }

    /** A big-endian 64-bit value. */
    public long i64(String field) {
        need(8, field);
        return in.getLong();
    }

    /** Exactly {@code n} bytes. */
    public byte[] bytes(int n, String field) {
        need(n, field);
        byte[] out = new byte[n];
        in.get(out);
        return out;
    }

    /** A length prefix read with {@code prefix}, checked to lie in {@code [min, max]}, then that many bytes. */
    public byte[] sized(int length, int min, int max, String field) {
        if (length < min || length > max) {
            throw new MalformedException(
                    what + " has " + field + " of " + length + " bytes; allowed " + min + " to " + max);
        }
        return bytes(length, field);
    }

    /** An IP socket address: family tag (4 or 6), the address bytes, a port 1..65535. */
    public InetSocketAddress address(String field) {
        int family = u8(field + " family");
        int length;
        if (family == FAMILY_IPV4) {
            length = 4;
        } else if (family == FAMILY_IPV6) {
            length = 16;
        } else {
            throw new MalformedException(what + " has " + field + " with unknown address family " + family);
        }
        byte[] ip = bytes(length, field);
        int port = u16(field + " port");
        if (port == 0) {
            throw new MalformedException(what + " has " + field + " with port 0");
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new MalformedException(what + " has an invalid " + field + ": " + e.getMessage());
        }
    }

    /** Bytes not read yet. */
    public int remaining() {
        return in.remaining();
    }

    /** Fails unless every byte was consumed. */
    public void end() {
        if (in.hasRemaining()) {
            throw new MalformedException(what + " has " + in.remaining() + " unexpected trailing bytes");
        }
    }
}
