package dev.aspen.mesh.quic;

import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.NodeId;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The admission handshake a dialer runs on the first stream of every connection, because the QUIC
 * stack cannot check client certificates:
 *
 * <pre>
 * dialer -> server   HELLO
 * server -> dialer   CHALLENGE  nonce(32) serverId(32)
 * dialer -> server   PROOF      nonce(32) u16 spkiLen spki u16 sigLen sig mac(32)
 * server -> dialer   WELCOME | DENIED u8 reason, utf-8 message
 * </pre>
 *
 * The signature (dialer's node key) and the MAC (cluster key, or the join key where the protocol
 * accepts it) both cover {@code context, ALPN, nonce, serverId, dialerId}; the MAC also covers the
 * SPKI. Each message is one frame whose first byte is its type.
 */
final class Admission {
    static final String CONTEXT = "aspen admission v1";
    static final int NONCE_BYTES = 32;
    static final int MAX_SPKI_BYTES = 512;
    static final int MAX_SIGNATURE_BYTES = 160;
    static final int MAX_MESSAGE_BYTES = 1024;

    static final byte HELLO = 1;
    static final byte CHALLENGE = 2;
    static final byte PROOF = 3;
    static final byte WELCOME = 4;
    static final byte DENIED = 5;

    private Admission() {}

    record Challenge(byte[] nonce, NodeId server) {}

    record Proof(byte[] nonce, byte[] spki, byte[] signature, byte[] mac) {
        NodeId dialer() {
            return NodeId.ofSubjectPublicKeyInfo(spki);
        }
    }

    static byte[] hello() {
        return new byte[] {HELLO};
    }

    static byte[] challenge(byte[] nonce, NodeId server) {
        return ByteBuffer.allocate(1 + NONCE_BYTES + NodeId.LENGTH)
                .put(CHALLENGE)
                .put(nonce)
                .put(server.toBytes())
                .array();
    }

    static byte[] welcome() {
        return new byte[] {WELCOME};
    }

    static byte[] denied(AuthFailure reason, String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[2 + Math.min(text.length, MAX_MESSAGE_BYTES)];
        out[0] = DENIED;
        out[1] = (byte) reason.ordinal();
        System.arraycopy(text, 0, out, 2, out.length - 2);
        return out;
    }

    /** Builds the dialer's answer to {@code challenge}. */
    static byte[] proof(NodeIdentity identity, ClusterKey clusterKey, String alpn, Challenge challenge) {
        byte[] spki = identity.subjectPublicKeyInfo();
        byte[] signed = signedBytes(alpn, challenge.nonce(), challenge.server(), identity.nodeId());
        byte[] signature = identity.sign(signed);
        byte[] mac = mac(clusterKey, alpn, challenge.nonce(), challenge.server(), identity.nodeId(), spki);
        var out = new ByteArrayOutputStream();
        out.write(PROOF);
        out.writeBytes(challenge.nonce());
        writeShortBytes(out, spki);
        writeShortBytes(out, signature);
        out.writeBytes(mac);
        return out.toByteArray();
    }

    /**
     * Checks a proof against the nonce this server issued; its MAC must verify under one of {@code
     * keys}.
     *
     * @return null if valid, else the reason it is not
     */
    static AuthFailure verify(Proof proof, byte[] issuedNonce, NodeId server, String alpn, List<ClusterKey> keys) {
        if (!MessageDigest.isEqual(proof.nonce(), issuedNonce)) {
            return AuthFailure.REPLAYED;
        }
        NodeId dialer = proof.dialer();
        byte[] signed = signedBytes(alpn, issuedNonce, server, dialer);
        if (!NodeIdentity.verify(proof.spki(), signed, proof.signature())) {
            return AuthFailure.BAD_SIGNATURE;
        }
        for (ClusterKey key : keys) {
            if (MessageDigest.isEqual(mac(key, alpn, issuedNonce, server, dialer, proof.spki()), proof.mac())) {
                return null;
            }
        }
        return AuthFailure.BAD_MAC;
    }

    static void expectHello(byte[] frame) throws FrameException {
        if (frame == null || frame.length != 1 || frame[0] != HELLO) {
            throw new FrameException("expected a HELLO message");
        }
    }

    static Challenge parseChallenge(byte[] frame) throws FrameException {
        if (frame == null || frame.length != 1 + NONCE_BYTES + NodeId.LENGTH || frame[0] != CHALLENGE) {
            throw new FrameException("expected a CHALLENGE message");
        }
        var in = ByteBuffer.wrap(frame, 1, frame.length - 1);
        byte[] nonce = new byte[NONCE_BYTES];
        in.get(nonce);
        byte[] server = new byte[NodeId.LENGTH];
        in.get(server);
        return new Challenge(nonce, NodeId.ofBytes(server));
    }

    static Proof parseProof(byte[] frame) throws FrameException {
        if (frame == null || frame.length < 1 || frame[0] != PROOF) {
            throw new FrameException("expected a PROOF message");
        }
        var in = ByteBuffer.wrap(frame, 1, frame.length - 1);
        byte[] nonce = take(in, NONCE_BYTES, "nonce");
        byte[] spki = take(in, readShortLength(in, MAX_SPKI_BYTES, "public key"), "public key");
        byte[] signature = take(in, readShortLength(in, MAX_SIGNATURE_BYTES, "signature"), "signature");
        byte[] mac = take(in, ClusterKey.MAC_LENGTH, "mac");
        if (in.hasRemaining()) {
            throw new FrameException("PROOF has " + in.remaining() + " trailing bytes");
        }
        return new Proof(nonce, spki, signature, mac);
    }

    /** Reads the server's verdict: returns on WELCOME, throws with the server's reason on DENIED. */
    static void expectWelcome(byte[] frame) throws java.io.IOException {
        if (frame != null && frame.length == 1 && frame[0] == WELCOME) {
            return;
        }
        if (frame != null && frame.length >= 2 && frame[0] == DENIED) {
            AuthFailure[] reasons = AuthFailure.values();
            int ordinal = frame[1] & 0xff;
            AuthFailure reason = ordinal < reasons.length ? reasons[ordinal] : AuthFailure.MALFORMED;
            String message = new String(frame, 2, frame.length - 2, StandardCharsets.UTF_8);
            throw new AuthenticationException(reason, "server refused admission (" + reason + "): " + message);
        }
        throw new FrameException("expected WELCOME or DENIED");
    }

    private static byte[] signedBytes(String alpn, byte[] nonce, NodeId server, NodeId dialer) {
        var out = new ByteArrayOutputStream();
        writeShortBytes(out, CONTEXT.getBytes(StandardCharsets.UTF_8));
        writeShortBytes(out, alpn.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(nonce);
        out.writeBytes(server.toBytes());
        out.writeBytes(dialer.toBytes());
        return out.toByteArray();
    }

    private static byte[] mac(ClusterKey key, String alpn, byte[] nonce, NodeId server, NodeId dialer, byte[] spki) {
        return key.mac(CONTEXT, alpn.getBytes(StandardCharsets.UTF_8), nonce, server.toBytes(), dialer.toBytes(), spki);
    }

    private static void writeShortBytes(ByteArrayOutputStream out, byte[] bytes) {
        out.write(bytes.length >>> 8);
        out.write(bytes.length & 0xff);
        out.writeBytes(bytes);
    }

    private static int readShortLength(ByteBuffer in, int max, String what) throws FrameException {
        if (in.remaining() < 2) {
            throw new FrameException("PROOF is truncated at the " + what + " length");
        }
        int n = in.getShort() & 0xffff;
        if (n > max) {
            throw new FrameException("PROOF " + what + " of " + n + " bytes exceeds " + max);
        }
        return n;
    }

    private static byte[] take(ByteBuffer in, int n, String what) throws FrameException {
        if (in.remaining() < n) {
            throw new FrameException("PROOF is truncated at the " + what);
        }
        byte[] out = new byte[n];
        in.get(out);
        return out;
    }
}
