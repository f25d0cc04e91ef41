package dev.aspen.tickets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.bouncycastle.crypto.params.Blake3Parameters;

/**
 * The secret key every member of a cluster derives from the {@link Cookie}. It authenticates
 * gossip records and admission proofs with a BLAKE3 keyed MAC.
 *
 * <p>The key also derives the cluster's <em>join secret</em> ({@link #joinSecret()}), the secret a
 * join ticket carries. A holder of only the join secret proves itself with the {@link
 * #ofJoinSecret join key} made from it, which nodes accept on the protocols that let a newcomer
 * fetch the cluster key; every node derives the same secret from the key, so nothing is stored and
 * changing the cookie revokes every join ticket.
 *
 * <p>Thread-safe and immutable; equality by value (in constant time). {@link #toString()} never
 * reveals the key.
 */
public final class ClusterKey {
    /** Length of the key in bytes. */
    public static final int LENGTH = 32;
    /** Length of a MAC in bytes. */
    public static final int MAC_LENGTH = 32;

    static final String JOIN_SECRET_CONTEXT = "aspen 2026-11-22 join secret v1";

    private final byte[] key;

    ClusterKey(byte[] key) {
        this.key = key;
    }

    /**
     * Wraps raw key bytes (copied), as {@link #toBytes()} gave them, e.g. read back from a node's
     * data directory or received from a node over the admin protocol.
     *
     * @throws FormatException unless {@code bytes} is exactly {@value #LENGTH} bytes long
     */
    public static ClusterKey ofBytes(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new FormatException("cluster key must be " + LENGTH + " bytes, got " + bytes.length);
        }
        return new ClusterKey(bytes.clone());
    }

    /**
     * The MAC key of whoever holds {@code joinSecret} (from a join ticket): it proves admission
     * like a cluster key, but nodes accept it only on the protocols that admit newcomers.
     *
     * @throws FormatException unless {@code joinSecret} is exactly {@value
     *     ClusterTicket#JOIN_SECRET_LENGTH} bytes long
     */
    public static ClusterKey ofJoinSecret(byte[] joinSecret) {
        if (joinSecret.length != ClusterTicket.JOIN_SECRET_LENGTH) {
            throw new FormatException(
                    "join secret must be " + ClusterTicket.JOIN_SECRET_LENGTH + " bytes, got " + joinSecret.length);
        }
        return new ClusterKey(joinSecret.clone());
    }

    /**
     * This cluster's join secret: BLAKE3 in key-derivation mode, context {@value
     * #JOIN_SECRET_CONTEXT}, over the key. The same on every node; a new cookie gives a new one.
     */
    public byte[] joinSecret() {
        var digest = new Blake3Digest(ClusterTicket.JOIN_SECRET_LENGTH * 8);
        digest.init(Blake3Parameters.context(JOIN_SECRET_CONTEXT.getBytes(StandardCharsets.UTF_8)));
        digest.update(key, 0, key.length);
        byte[] out = new byte[ClusterTicket.JOIN_SECRET_LENGTH];
        digest.doFinal(out, 0, out.length);
        return out;
    }

    /** The key a holder of this cluster's join ticket proves itself with: {@code ofJoinSecret(joinSecret())}. */
    public ClusterKey joinKey() {
        return new ClusterKey(joinSecret());
    }

    /** A copy of the key bytes. Secret: only for storing it (mode 0600) or sending it to an admitted node. */
    public byte[] toBytes() {
        return key.clone();
    }

    /**
     * MACs {@code parts} under this key for {@code purpose}. Each part is length-prefixed, so
     * different splits of the same bytes give different MACs, and MACs for one purpose never verify
     * for another.
     *
     * @param purpose a fixed label naming the protocol step, e.g. {@code "gossip record v1"}
     */
    public byte[] mac(String purpose, byte[]... parts) {
        var digest = new Blake3Digest(MAC_LENGTH * 8);
        digest.init(Blake3Parameters.key(key));
        update(digest, purpose.getBytes(StandardCharsets.UTF_8));
        for (byte[] part : parts) {
            update(digest, part);
        }
        byte[] out = new byte[MAC_LENGTH];
        digest.doFinal(out, 0, MAC_LENGTH);
        return out;
    }

    /** Checks {@code mac} against {@link #mac(String, byte[]...)} in constant time. */
    public boolean verify(byte[] mac, String purpose, byte[]... parts) {
        return MessageDigest.isEqual(mac, mac(purpose, parts));
    }

    /** Lower-case hex of the key itself: only for the published test vectors and debugging. */
    String toHex() {
        return HexFormat.of().formatHex(key);
    }

    private static void update(Blake3Digest digest, byte[] part) {
        int n = part.length;
        digest.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n}, 0, 4);
        digest.update(part, 0, n);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ClusterKey that && MessageDigest.isEqual(key, that.key);
    }

    @Override
    public int hashCode() {
        // Not derived from the key: a hash must not leak it.
        return ClusterKey.class.hashCode();
    }

    @Override
    public String toString() {
        return "ClusterKey[redacted]";
    }
}
