package dev.aspen.discovery;

import dev.aspen.discovery.internal.MalformedException;
import dev.aspen.discovery.internal.WireReader;
import dev.aspen.discovery.internal.WireWriter;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.NodeId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * An encoded {@link PeerRecord} with two proofs: an ECDSA signature by the node key (proves the
 * record comes from the holder of the key its NodeId names) and a ClusterKey MAC (proves the
 * signer knows the cookie). Both cover {@link #CONTEXT} followed by the record bytes. Immutable.
 *
 * <p>Binary form (version 1): {@code u8 version=1 | u16 recordLength | record | u8 signatureLength |
 * signature (DER ECDSA) | 32 mac}.
 *
 * @param record the encoded {@link PeerRecord}
 * @param signature {@code SHA256withECDSA} over {@link #CONTEXT} and the record bytes
 * @param mac {@link ClusterKey#mac} with purpose {@link #CONTEXT} over the record bytes
 */
public record SignedPeerRecord(byte[] record, byte[] signature, byte[] mac) {
    /** The encoding version this code writes and the only one it reads. */
    public static final int VERSION = 1;
    /** Domain-separation label signed and MACed with every record. */
    public static final String CONTEXT = "aspen peer record v1";
    /** Longest accepted signature; DER ECDSA P-256 signatures take at most 72 bytes. */
    public static final int MAX_SIGNATURE_BYTES = 160;
    /** Longest accepted encoded signed record. */
    public static final int MAX_ENCODED_BYTES =
            1 + 2 + PeerRecord.MAX_ENCODED_BYTES + 1 + MAX_SIGNATURE_BYTES + ClusterKey.MAC_LENGTH;

    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final byte[] CONTEXT_BYTES = CONTEXT.getBytes(StandardCharsets.UTF_8);

    /** Copies the arrays. */
    public SignedPeerRecord {
        record = record.clone();
        signature = signature.clone();
        mac = mac.clone();
    }

    /**
     * Encodes, signs and MACs {@code peer}. Does not check that {@code keys} belongs to the
     * record's NodeId (tests forge records that way); {@link Discovery} always passes matching ones.
     *
     * @throws IllegalStateException if the JDK cannot sign with the key (not an EC private key)
     */
    public static SignedPeerRecord sign(PeerRecord peer, KeyPair keys, ClusterKey clusterKey) {
        byte[] bytes = peer.encode();
        try {
            var signer = Signature.getInstance(SIGNATURE_ALGORITHM);
            signer.initSign(keys.getPrivate());
            signer.update(CONTEXT_BYTES);
            signer.update(bytes);
            return new SignedPeerRecord(bytes, signer.sign(), clusterKey.mac(CONTEXT, bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the peer record with the node key: " + e, e);
        }
    }

    /** A copy of the encoded record. */
    @Override
    public byte[] record() {
        return record.clone();
    }

    /** A copy of the signature. */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** A copy of the MAC. */
    @Override
    public byte[] mac() {
        return mac.clone();
    }

    /** The version-1 binary form. */
    public byte[] encode() {
        return new WireWriter()
                .u8(VERSION)
                .u16(record.length)
                .bytes(record)
                .u8(signature.length)
                .bytes(signature)
                .bytes(mac)
                .toBytes();
    }

    /**
     * Decodes the binary form without verifying anything.
     *
     * @throws RecordRejectedException with reason {@link RejectReason#MALFORMED} naming the problem
     */
    public static SignedPeerRecord decode(byte[] bytes) {
        if (bytes.length > MAX_ENCODED_BYTES) {
            throw new RecordRejectedException(
                    RejectReason.MALFORMED,
                    "signed peer record is " + bytes.length + " bytes, limit " + MAX_ENCODED_BYTES);
        }
        try {
            var in = new WireReader("signed peer record", bytes);
            int version = in.u8("version");
            if (version != VERSION) {
                throw new MalformedException(
                        "signed peer record has version " + version + ", this node reads " + VERSION);
            }
            byte[] record = in.sized(in.u16("record length"), 1, PeerRecord.MAX_ENCODED_BYTES, "record");
            byte[] signature = in.sized(in.u8("signature length"), 1, MAX_SIGNATURE_BYTES, "signature");
            byte[] mac = in.bytes(ClusterKey.MAC_LENGTH, "mac");
            in.end();
            return new SignedPeerRecord(record, signature, mac);
        } catch (MalformedException e) {
            throw new RecordRejectedException(RejectReason.MALFORMED, e.getMessage());
        }
    }

    /**
     * Checks, in this order, the MAC under {@code clusterKey}, the record encoding, that the SPKI
     * hashes to the NodeId and is an EC key, and the signature. Does not check the incarnation
     * against earlier records: {@link PeerDirectory} does. Never blocks.
     *
     * @return the verified record
     * @throws RecordRejectedException naming the first check that failed
     */
    public PeerRecord verify(ClusterKey clusterKey) {
        if (!clusterKey.verify(mac, CONTEXT, record)) {
            throw new RecordRejectedException(RejectReason.BAD_MAC, "the cluster key MAC does not verify");
        }
        PeerRecord peer = PeerRecord.decode(record);
        byte[] spki = peer.spki();
        if (!NodeId.ofSubjectPublicKeyInfo(spki).equals(peer.nodeId())) {
            throw new RecordRejectedException(
                    RejectReason.SPKI_MISMATCH, "the SPKI does not hash to node id " + peer.nodeId());
        }
        PublicKey key;
        try {
            key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new RecordRejectedException(
                    RejectReason.SPKI_MISMATCH, "the SPKI of " + peer.nodeId() + " is not an EC public key");
        }
        boolean valid;
        try {
            var verifier = Signature.getInstance(SIGNATURE_ALGORITHM);
            verifier.initVerify(key);
            verifier.update(CONTEXT_BYTES);
            verifier.update(record);
            valid = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            valid = false;
        }
        if (!valid) {
            throw new RecordRejectedException(
                    RejectReason.BAD_SIGNATURE, "the signature of " + peer.nodeId() + " does not verify");
        }
        return peer;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SignedPeerRecord that
                && Arrays.equals(record, that.record)
                && Arrays.equals(signature, that.signature)
                && Arrays.equals(mac, that.mac);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(record) + Arrays.hashCode(signature)) + Arrays.hashCode(mac);
    }

    @Override
    public String toString() {
        return "SignedPeerRecord[" + record.length + " record bytes]";
    }
}
