package dev.aspen.tickets;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.bouncycastle.crypto.params.Blake3Parameters;

/**
 * The cluster's shared secret, as typed by an operator. Everything that identifies or protects a
 * cluster is derived from it with BLAKE3 in key-derivation mode, one context string per purpose,
 * so the same cookie gives the same values on every machine and the cookie itself never has to
 * leave the node.
 *
 * <p>{@link #toString()} never reveals the cookie.
 */
public final class Cookie {
    /** Longest accepted cookie, in UTF-8 bytes. */
    public static final int MAX_BYTES = 1024;

    static final String CLUSTER_ID_CONTEXT = "aspen 2026-11-22 cluster id v1";
    static final String CLUSTER_KEY_CONTEXT = "aspen 2026-11-22 cluster key v1";

    private final byte[] utf8;

    private Cookie(byte[] utf8) {
        this.utf8 = utf8;
    }

    /**
     * Validates a cookie.
     *
     * @throws FormatException if it is empty, longer than {@value #MAX_BYTES} UTF-8 bytes, or not
     *     valid Unicode (an unpaired surrogate)
     */
    public static Cookie of(String cookie) {
        if (cookie.isEmpty()) {
            throw new FormatException("cookie must not be empty");
        }
        byte[] utf8;
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8
                    .newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(java.nio.CharBuffer.wrap(cookie));
            utf8 = new byte[encoded.remaining()];
            encoded.get(utf8);
        } catch (CharacterCodingException e) {
            throw new FormatException("cookie is not valid Unicode text (it contains an unpaired surrogate)");
        }
        if (utf8.length > MAX_BYTES) {
            throw new FormatException("cookie must be at most " + MAX_BYTES + " UTF-8 bytes, got " + utf8.length);
        }
        return new Cookie(utf8);
    }

    /** The public cluster id: safe to show, used as the gossip namespace and inside tickets. */
    public ClusterId clusterId() {
        return ClusterId.ofBytes(derive(CLUSTER_ID_CONTEXT, ClusterId.LENGTH));
    }

    /** The secret cluster key: MACs gossip records and admission proofs. */
    public ClusterKey clusterKey() {
        return new ClusterKey(derive(CLUSTER_KEY_CONTEXT, ClusterKey.LENGTH));
    }

    /** The cluster id and key together. */
    public ClusterCredentials credentials() {
        return new ClusterCredentials(clusterId(), clusterKey());
    }

    private byte[] derive(String context, int length) {
        var digest = new Blake3Digest(length * 8);
        digest.init(Blake3Parameters.context(context.getBytes(StandardCharsets.UTF_8)));
        digest.update(utf8, 0, utf8.length);
        byte[] out = new byte[length];
        digest.doFinal(out, 0, length);
        return out;
    }

    @Override
    public String toString() {
        return "Cookie[redacted]";
    }
}
