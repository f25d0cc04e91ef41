package dev.aspen.mesh.identity;

import dev.aspen.tickets.NodeId;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * A node's long-lived identity: an ECDSA P-256 key pair, the {@link NodeId} it hashes to, and a
 * self-signed certificate whose one dNSName SAN is the NodeId text (QUIC peers pin it by that
 * name).
 *
 * <p>Files in the data directory: {@value #KEY_FILE} (PKCS#8 PEM, mode 0600) and {@value
 * #CERT_FILE} (X.509 PEM). The key is the identity; the certificate is derived from it and is
 * re-made if missing. A key file that cannot be read, or a certificate that belongs to another
 * key, is an error naming the file: a node never silently takes a new identity.
 *
 * <p>Immutable and thread-safe.
 */
public final class NodeIdentity {
    /** The private key file in the data directory. */
    public static final String KEY_FILE = "node-key.pem";
    /** The certificate file in the data directory. */
    public static final String CERT_FILE = "node-cert.pem";

    private static final String CURVE = "secp256r1";
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final int MAX_PEM_BYTES = 64 * 1024;

    private final KeyPair keyPair;
    private final X509Certificate certificate;
    private final NodeId nodeId;

    private NodeIdentity(KeyPair keyPair, X509Certificate certificate) {
        this.keyPair = keyPair;
        this.certificate = certificate;
        this.nodeId = NodeId.of(keyPair.getPublic());
    }

    /**
     * Loads the identity from {@code dataDir}, creating the directory, key and certificate on first
     * use. Blocks on file I/O.
     *
     * @throws IdentityException naming the file if the key or certificate is unreadable, corrupt, not
     *     a P-256 key, or the certificate does not match the key
     * @throws IOException if the files cannot be written
     */
    public static NodeIdentity loadOrCreate(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path keyFile = dataDir.resolve(KEY_FILE);
        Path certFile = dataDir.resolve(CERT_FILE);
        if (!Files.exists(keyFile)) {
            if (Files.exists(certFile)) {
                throw new IdentityException(certFile + " exists but its key " + keyFile + " is missing; restore the key"
                        + " or remove both files to make a new identity");
            }
            NodeIdentity fresh = generate();
            writeAtomically(
                    keyFile, pem("PRIVATE KEY", fresh.keyPair.getPrivate().getEncoded()), true);
            writeAtomically(certFile, pem("CERTIFICATE", encoded(fresh.certificate)), false);
            return fresh;
        }
        KeyPair keyPair = readKey(keyFile);
        if (!Files.exists(certFile)) {
            var identity = new NodeIdentity(keyPair, selfSign(keyPair));
            writeAtomically(certFile, pem("CERTIFICATE", encoded(identity.certificate)), false);
            return identity;
        }
        X509Certificate certificate = readCertificate(certFile);
        if (!Arrays.equals(
                certificate.getPublicKey().getEncoded(), keyPair.getPublic().getEncoded())) {
            throw new IdentityException(certFile + " belongs to node " + NodeId.of(certificate.getPublicKey())
                    + ", not to the key in " + keyFile + " (node " + NodeId.of(keyPair.getPublic()) + ")");
        }
        return new NodeIdentity(keyPair, certificate);
    }

    /** A fresh identity held only in memory (tests, throw-away clients). */
    public static NodeIdentity generate() {
        try {
            var generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(CURVE));
            KeyPair keyPair = generator.generateKeyPair();
            return new NodeIdentity(keyPair, selfSign(keyPair));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime cannot make " + CURVE + " keys", e);
        }
    }

    public NodeId nodeId() {
        return nodeId;
    }

    public KeyPair keyPair() {
        return keyPair;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** DER SubjectPublicKeyInfo of the public key; {@link NodeId} is its SHA-256. */
    public byte[] subjectPublicKeyInfo() {
        return keyPair.getPublic().getEncoded();
    }

    /** Signs {@code data} with the node key (SHA256withECDSA, DER signature). */
    public byte[] sign(byte[] data) {
        try {
            Signature signature = Signature.getInstance(SIGNATURE_ALGORITHM);
            signature.initSign(keyPair.getPrivate());
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with a valid P-256 key cannot fail", e);
        }
    }

    /**
     * Verifies a {@link #sign} signature made by the holder of {@code spki}.
     *
     * @return false for a bad signature or an SPKI that is not an EC public key; never throws
     */
    public static boolean verify(byte[] spki, byte[] data, byte[] signatureBytes) {
        try {
            PublicKey key =
                    KeyFactory.getInstance("EC").generatePublic(new java.security.spec.X509EncodedKeySpec(spki));
            Signature signature = Signature.getInstance(SIGNATURE_ALGORITHM);
            signature.initVerify(key);
            signature.update(data);
            return signature.verify(signatureBytes);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static X509Certificate selfSign(KeyPair keyPair) {
        NodeId id = NodeId.of(keyPair.getPublic());
        var name = new X500Name("CN=aspen-" + id);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try {
            var builder = new JcaX509v3CertificateBuilder(
                    name,
                    new BigInteger(1, Arrays.copyOf(id.toBytes(), 16)),
                    Date.from(now.minus(1, ChronoUnit.DAYS)),
                    Date.from(now.plus(100 * 365, ChronoUnit.DAYS)),
                    name,
                    keyPair.getPublic());
            builder.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, id.toString())));
            var signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(keyPair.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException | CertificateException | IOException e) {
            throw new IllegalStateException("cannot make a self-signed certificate", e);
        }
    }

    private static KeyPair readKey(Path file) throws IOException {
        byte[] der = readPem(file, "PRIVATE KEY");
        try {
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
            if (!(key instanceof ECPrivateKey ec)
                    || ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new IdentityException(file + " does not hold a P-256 (secp256r1) key");
            }
            return new KeyPair(publicKeyOf(ec), key);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IdentityException(file + " does not hold a valid PKCS#8 EC private key: " + e.getMessage());
        }
    }

    /** Recomputes the public point Q = s·G, since a JDK PKCS#8 EC key does not carry it. */
    private static PublicKey publicKeyOf(ECPrivateKey key) throws GeneralSecurityException {
        var q = ECNamedCurveTable.getParameterSpec(CURVE)
                .getG()
                .multiply(key.getS())
                .normalize();
        var point = new ECPoint(
                q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, key.getParams()));
    }

    private static X509Certificate readCertificate(Path file) throws IOException {
        byte[] der = readPem(file, "CERTIFICATE");
        try {
            return (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IdentityException(file + " does not hold a valid X.509 certificate: " + e.getMessage());
        }
    }

    private static byte[] readPem(Path file, String type) throws IOException {
        if (Files.size(file) > MAX_PEM_BYTES) {
            throw new IdentityException(file + " is larger than " + MAX_PEM_BYTES + " bytes; it is not a " + type);
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IdentityException(file + " is not a PEM " + type + " file: it holds non-ASCII bytes");
        }
        try (var reader = new PemReader(new StringReader(text))) {
            PemObject object = reader.readPemObject();
            if (object == null || !type.equals(object.getType())) {
                throw new IdentityException(file + " is not a PEM " + type + " file");
            }
            return object.getContent();
        } catch (IOException | RuntimeException e) {
            if (e instanceof IdentityException identity) {
                throw identity;
            }
            throw new IdentityException(file + " is not a valid PEM " + type + " file: " + e.getMessage());
        }
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("a certificate we made must encode", e);
        }
    }

    private static byte[] pem(String type, byte[] der) {
        var out = new StringWriter();
        try (var writer = new PemWriter(out)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException("writing to a StringWriter cannot fail", e);
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes via a temporary file, fsyncs, and renames, so a crash leaves the old file or the new. */
    private static void writeAtomically(Path file, byte[] content, boolean secret) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try {
            if (secret) {
                Files.createFile(
                        temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(temp);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot create " + temp + ": it appeared while writing the identity", e);
        }
        try (var channel = java.nio.channels.FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(content));
            channel.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (var dir = java.nio.channels.FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    @Override
    public String toString() {
        return "NodeIdentity[" + nodeId + "]";
    }
}
