package dev.aspen.discovery.internal;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

/** Big-endian writes matching {@link WireReader}. Not thread-safe. */
public final class WireWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    /** Writes the low 8 bits. */
    public WireWriter u8(int value) {
        out.write(value);
        return this;
    }

    /** Writes the low 16 bits, big-endian. */
    public WireWriter u16(int value) {
        out.write(value >>> 8);
        out.write(value);
        return this;
    }

    /** Writes 8 bytes, big-endian. */
    public WireWriter i64(long value) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (value >>> shift));
        }
        return this;
    }

    /** Writes the bytes as they are. */
    public WireWriter bytes(byte[] value) {
        out.write(value, 0, value.length);
        return this;
    }

    /**
     * Writes family tag, address bytes and port.
     *
     * @throws IllegalArgumentException if the address is unresolved
     */
    public WireWriter address(InetSocketAddress address) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address " + address + " is not resolved to an IP");
        }
        byte[] ip = address.getAddress().getAddress();
        u8(address.getAddress() instanceof Inet4Address ? WireReader.FAMILY_IPV4 : WireReader.FAMILY_IPV6);
        bytes(ip);
        return u16(address.getPort());
    }

    /** The bytes written so far. */
    public byte[] toBytes() {
        return out.toByteArray();
    }
}
