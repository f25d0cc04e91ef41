package dev.aspen.tickets;

import dev.aspen.tickets.internal.Base32;
import java.util.Arrays;

/**
 * The public identifier of a cluster, derived from its {@link Cookie}. It names the gossip namespace
 * and travels in tickets; knowing it grants nothing, since every record and connection is also
 * proven with the secret {@link ClusterKey}.
 *
 * <p>Text form: 26 lower-case base32 characters. Immutable; equality by value.
 */
public final class ClusterId {
    /** Length in bytes. */
    public static final int LENGTH = 16;
    /** Length of the text form in characters. */
    public static final int TEXT_LENGTH = Base32.encodedLength(LENGTH);

    private final byte[] bytes;

    private ClusterId(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Wraps raw bytes (copied).
     *
     * @throws FormatException unless {@code bytes} is exactly {@value #LENGTH} bytes long
     */
    public static ClusterId ofBytes(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new FormatException("cluster id must be " + LENGTH + " bytes, got " + bytes.length);
        }
        return new ClusterId(bytes.clone());
    }

    /**
     * Parses the text form.
     *
     * @throws FormatException naming the problem
     */
    public static ClusterId parse(String text) {
        if (text.length() != TEXT_LENGTH) {
            throw new FormatException("cluster id must be " + TEXT_LENGTH + " base32 characters, got " + text.length());
        }
        return new ClusterId(Base32.decode(text, "cluster id"));
    }

    /** A copy of the bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Lower-case hex, as used in the published test vectors. */
    public String toHex() {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    @Override
    public String toString() {
        return Base32.encode(bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ClusterId that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
