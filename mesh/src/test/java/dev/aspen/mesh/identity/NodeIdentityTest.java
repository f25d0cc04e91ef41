package dev.aspen.mesh.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.tickets.NodeId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityTest {
    @TempDir
    Path dir;

    @Test
    void firstStartCreatesAPrivateKeyFileAndLaterStartsReuseIt() throws Exception {
        NodeIdentity first = NodeIdentity.loadOrCreate(dir);
        Path key = dir.resolve(NodeIdentity.KEY_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                .isEqualTo("rw-------");
        NodeIdentity second = NodeIdentity.loadOrCreate(dir);
        assertThat(second.nodeId()).isEqualTo(first.nodeId());
        assertThat(second.certificate()).isEqualTo(first.certificate());
        assertThat(first.nodeId().toBytes())
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(first.subjectPublicKeyInfo()));
    }

    @Test
    void certificateNamesTheNodeIdAsItsOnlyDnsName() throws Exception {
        NodeIdentity identity = NodeIdentity.loadOrCreate(dir);
        assertThat(identity.certificate().getSubjectAlternativeNames())
                .containsExactly(List.of(2, identity.nodeId().toString()));
        assertThat(identity.certificate().getPublicKey().getAlgorithm()).isEqualTo("EC");
        identity.certificate().verify(identity.keyPair().getPublic());
    }

    @Test
    void aMissingCertificateIsRemadeFromTheKey() throws Exception {
        NodeId id = NodeIdentity.loadOrCreate(dir).nodeId();
        Files.delete(dir.resolve(NodeIdentity.CERT_FILE));
        NodeIdentity again = NodeIdentity.loadOrCreate(dir);
        assertThat(again.nodeId()).isEqualTo(id);
        assertThat(NodeId.of(again.certificate().getPublicKey())).isEqualTo(id);
    }

    @Test
    void aCorruptKeyFileIsAnErrorNamingTheFile() throws Exception {
        NodeIdentity.loadOrCreate(dir);
        Path key = dir.resolve(NodeIdentity.KEY_FILE);
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> NodeIdentity.loadOrCreate(dir))
                .isInstanceOf(IdentityException.class)
                .hasMessageStartingWith(key + " does not hold a valid PKCS#8 EC private key");
        Files.writeString(key, "garbage");
        assertThatThrownBy(() -> NodeIdentity.loadOrCreate(dir))
                .isInstanceOf(IdentityException.class)
                .hasMessage(key + " is not a PEM PRIVATE KEY file");
        assertThat(Files.readString(key))
                .as("the bad file is left for the operator")
                .isEqualTo("garbage");
    }

    @Test
    void aCertificateOfAnotherKeyIsAnError() throws Exception {
        NodeIdentity.loadOrCreate(dir);
        Path other = dir.resolve("other");
        NodeIdentity foreign = NodeIdentity.loadOrCreate(other);
        Files.copy(
                other.resolve(NodeIdentity.CERT_FILE),
                dir.resolve(NodeIdentity.CERT_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> NodeIdentity.loadOrCreate(dir))
                .isInstanceOf(IdentityException.class)
                .hasMessageContaining("belongs to node " + foreign.nodeId());
    }

    @Test
    void aCertificateWithoutItsKeyIsAnErrorNotANewIdentity() throws Exception {
        NodeIdentity.loadOrCreate(dir);
        Files.delete(dir.resolve(NodeIdentity.KEY_FILE));
        assertThatThrownBy(() -> NodeIdentity.loadOrCreate(dir))
                .isInstanceOf(IdentityException.class)
                .hasMessageContaining("is missing");
        assertThat(dir.resolve(NodeIdentity.KEY_FILE)).doesNotExist();
    }

    @Test
    void signaturesVerifyOnlyForTheSignerAndTheData() {
        NodeIdentity a = NodeIdentity.generate();
        NodeIdentity b = NodeIdentity.generate();
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] signature = a.sign(data);
        assertThat(NodeIdentity.verify(a.subjectPublicKeyInfo(), data, signature))
                .isTrue();
        assertThat(NodeIdentity.verify(b.subjectPublicKeyInfo(), data, signature))
                .isFalse();
        assertThat(NodeIdentity.verify(a.subjectPublicKeyInfo(), "hellp".getBytes(StandardCharsets.UTF_8), signature))
                .isFalse();
        assertThat(NodeIdentity.verify(new byte[] {1, 2, 3}, data, signature)).isFalse();
    }
}
