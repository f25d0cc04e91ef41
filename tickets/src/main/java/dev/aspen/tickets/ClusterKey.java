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
 * <p>Thread-safe and immutable. {@link #toString()} never reveals the key.
 */
public final class ClusterKey {
    /** Length of the key in bytes. */
    public static final int LENGTH = 32;
    /** Length of a MAC in bytes. */
    public static final int MAC_LENGTH = 32;

    private final byte[] key;

    ClusterKey(byte[] key) {
        this.key = key;
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
    public String toString() {
        return "ClusterKey[redacted]";
    }
}
