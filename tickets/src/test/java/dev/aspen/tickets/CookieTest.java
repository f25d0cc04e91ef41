package dev.aspen.tickets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Published test vectors: any implementation of Aspen's cookie derivation must produce these
 * values. BLAKE3 derive-key mode, contexts {@value Cookie#CLUSTER_ID_CONTEXT} (16 bytes) and
 * {@value Cookie#CLUSTER_KEY_CONTEXT} (32 bytes), input = the cookie's UTF-8 bytes.
 */
class CookieTest {
    @Test
    void matchesPublishedVectors() {
        assertVector(
                "aspen",
                "05edf1db8110839269d756c2942e5b61",
                "d727ed6ad0998e297c0be86bd23372e04a4d5e713caba45176d9a853e8abd848");
        assertVector(
                "correct horse battery staple",
                "ff7cc6fe7eec7766ff5d520011ccf03a",
                "942eb76dc6d43871bfca22ed7990bd3ede01fae1f950e35b172387204ede3f52");
        assertVector(
                "Grüße 🌲",
                "e3ae9777de6e12d1b16764c292b01245",
                "f9c521358ea9cbab499f5f034181bc43ae348fb959b6e61e0fc509901da4ca53");
    }

    @Test
    void usesBlake3DeriveKeyModeAsSpecified() {
        // The first derive_key vector of the official BLAKE3 test_vectors.json (empty input).
        var digest = new org.bouncycastle.crypto.digests.Blake3Digest(256);
        digest.init(org.bouncycastle.crypto.params.Blake3Parameters.context(
                "BLAKE3 2019-12-27 16:29:52 test vectors context".getBytes(StandardCharsets.UTF_8)));
        byte[] out = new byte[32];
        digest.doFinal(out, 0, 32);
        assertThat(java.util.HexFormat.of().formatHex(out))
                .isEqualTo("2cc39783c223154fea8dfb7c1b1660f2ac2dcbd1c1de8277b0b0dd39b7e50d7d");
    }

    private static void assertVector(String cookie, String idHex, String keyHex) {
        Cookie c = Cookie.of(cookie);
        assertThat(c.clusterId().toHex()).as("cluster id of %s", cookie).isEqualTo(idHex);
        assertThat(c.clusterKey().toHex()).as("cluster key of %s", cookie).isEqualTo(keyHex);
    }

    @Test
    void sameCookieGivesSameValuesDifferentCookiesDifferentValues() {
        assertThat(Cookie.of("alpha").clusterId()).isEqualTo(Cookie.of("alpha").clusterId());
        assertThat(Cookie.of("alpha").clusterId())
                .isNotEqualTo(Cookie.of("alphb").clusterId());
        assertThat(Cookie.of("alpha").clusterKey().toHex())
                .isEqualTo(Cookie.of("alpha").clusterKey().toHex())
                .isNotEqualTo(Cookie.of("alphb").clusterKey().toHex());
    }

    @Test
    void idAndKeyAreIndependentDerivations() {
        Cookie c = Cookie.of("alpha");
        assertThat(c.clusterKey().toHex()).doesNotStartWith(c.clusterId().toHex());
    }

    @Test
    void rejectsEmptyCookie() {
        assertThatThrownBy(() -> Cookie.of(""))
                .isInstanceOf(FormatException.class)
                .hasMessage("cookie must not be empty");
    }

    @Test
    void limitsTheCookieToOneKibibyteOfUtf8() {
        assertThat(Cookie.of("x".repeat(1024)).clusterId()).isNotNull();
        assertThatThrownBy(() -> Cookie.of("x".repeat(1025)))
                .isInstanceOf(FormatException.class)
                .hasMessage("cookie must be at most 1024 UTF-8 bytes, got 1025");
        // 342 three-byte characters are 1026 bytes although only 342 chars.
        assertThatThrownBy(() -> Cookie.of("€".repeat(342))).hasMessageContaining("got 1026");
    }

    @Test
    void rejectsUnpairedSurrogates() {
        assertThatThrownBy(() -> Cookie.of("ab\uD800"))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("unpaired surrogate");
    }

    @Test
    void neverPrintsTheSecret() {
        assertThat(Cookie.of("hunter2").toString()).doesNotContain("hunter2");
        assertThat(Cookie.of("hunter2").clusterKey().toString())
                .doesNotContain(Cookie.of("hunter2").clusterKey().toHex());
    }

    @Test
    void macVerifiesOnlyForTheSameKeyPurposeAndParts() {
        ClusterKey key = Cookie.of("alpha").clusterKey();
        byte[] a = "ab".getBytes(StandardCharsets.UTF_8);
        byte[] b = "c".getBytes(StandardCharsets.UTF_8);
        byte[] mac = key.mac("test v1", a, b);
        assertThat(mac).hasSize(ClusterKey.MAC_LENGTH);
        assertThat(key.verify(mac, "test v1", a, b)).isTrue();
        assertThat(key.verify(mac, "test v2", a, b)).isFalse();
        assertThat(key.verify(
                        mac, "test v1", "a".getBytes(StandardCharsets.UTF_8), "bc".getBytes(StandardCharsets.UTF_8)))
                .isFalse();
        assertThat(Cookie.of("beta").clusterKey().verify(mac, "test v1", a, b)).isFalse();
    }
}
