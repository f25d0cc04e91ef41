package dev.aspen.tickets;

import dev.aspen.tickets.internal.Base32;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * A node's identity: the SHA-256 hash of its public key's DER SubjectPublicKeyInfo. Peers pin it
 * when they dial, so knowing a NodeId is enough to reach exactly that node and no impostor.
 *
 * <p>Text form: 52 lower-case base32 characters without padding. Instances are immutable; equality
 * is by value.
 */
public final class NodeId implements Comparable<NodeId> {
    /** Length of a NodeId in bytes. */
    public static final int LENGTH = 32;
    /** Length of a NodeId's text form in characters. */
    public static final int TEXT_LENGTH = Base32.encodedLength(LENGTH);

    private final byte[] bytes;

    private NodeId(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Wraps 32 raw bytes (copied).
     *
     * @throws FormatException if {@code bytes} is not exactly 32 bytes long
     */
    public static NodeId ofBytes(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new FormatException("node id must be " + LENGTH + " bytes, got " + bytes.length);
        }
        return new NodeId(bytes.clone());
    }

    /** The NodeId of a public key: SHA-256 of {@code key.getEncoded()} (DER SubjectPublicKeyInfo). */
    public static NodeId of(PublicKey key) {
        byte[] spki = key.getEncoded();
        if (spki == null || !"X.509".equals(key.getFormat())) {
            throw new IllegalArgumentException(
                    "public key has no X.509 SubjectPublicKeyInfo encoding (format " + key.getFormat() + ")");
        }
        return ofSubjectPublicKeyInfo(spki);
    }

    /** The NodeId of a DER-encoded SubjectPublicKeyInfo. */
    public static NodeId ofSubjectPublicKeyInfo(byte[] spki) {
        try {
            return new NodeId(MessageDigest.getInstance("SHA-256").digest(spki));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    /**
     * Parses the text form produced by {@link #toString()}.
     *
     * @throws FormatException naming the problem: wrong length or a character outside {@code a-z2-7}
     */
    public static NodeId parse(String text) {
        if (text.length() != TEXT_LENGTH) {
            throw new FormatException("node id must be " + TEXT_LENGTH + " base32 characters, got " + text.length());
        }
        return new NodeId(Base32.decode(text, "node id"));
    }

    /** A copy of the 32 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** The 52-character lower-case base32 text form. */
    @Override
    public String toString() {
        return Base32.encode(bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NodeId that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(NodeId other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }
}
