package dev.aspen.discovery.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/** Test node keys: generation and a two-line file (base64 PKCS#8, base64 SPKI). */
public final class KeyFiles {
    private KeyFiles() {}

    /** A fresh ECDSA P-256 key pair from the JDK provider. */
    public static KeyPair generate() {
        try {
            var generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code keys} to {@code file}. */
    public static void write(KeyPair keys, Path file) {
        var b64 = Base64.getEncoder();
        try {
            Files.write(
                    file,
                    List.of(
                            b64.encodeToString(keys.getPrivate().getEncoded()),
                            b64.encodeToString(keys.getPublic().getEncoded())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads what {@link #write} wrote. */
    public static KeyPair read(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            var b64 = Base64.getDecoder();
            var factory = KeyFactory.getInstance("EC");
            return new KeyPair(
                    factory.generatePublic(new X509EncodedKeySpec(b64.decode(lines.get(1)))),
                    factory.generatePrivate(new PKCS8EncodedKeySpec(b64.decode(lines.get(0)))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
