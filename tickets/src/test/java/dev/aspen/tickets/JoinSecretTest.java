package dev.aspen.tickets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The join secret: BLAKE3 derive-key mode, context {@value ClusterKey#JOIN_SECRET_CONTEXT}, input =
 * the 32 cluster key bytes; the join key MACs with the secret as its BLAKE3 key.
 */
class JoinSecretTest {
    private static final ClusterTicket PLAIN = ClusterTicket.of(
            Cookie.of("aspen").clusterId(),
            List.of(new TicketPeer(
                    NodeId.ofBytes(new byte[NodeId.LENGTH]), List.of(new InetSocketAddress("127.0.0.1", 7000)))));

    @Test
    void matchesPublishedVector() {
        assertThat(HexFormat.of().formatHex(Cookie.of("aspen").clusterKey().joinSecret()))
                .isEqualTo(blake3DeriveKey(
                        ClusterKey.JOIN_SECRET_CONTEXT,
                        HexFormat.of().parseHex("d727ed6ad0998e297c0be86bd23372e04a4d5e713caba45176d9a853e8abd848")))
                .isEqualTo("548ea42558071d4b81a43479b58e5bc9b8a64f8cc416602306e1b25f1250b500");
    }

    @Test
    void isStableForAKeyAndChangesWithTheCookie() {
        byte[] secret = Cookie.of("alpha").clusterKey().joinSecret();
        assertThat(secret).hasSize(ClusterTicket.JOIN_SECRET_LENGTH);
        assertThat(Cookie.of("alpha").clusterKey().joinSecret()).isEqualTo(secret);
        assertThat(Cookie.of("alphb").clusterKey().joinSecret()).isNotEqualTo(secret);
        assertThat(secret).isNotEqualTo(Cookie.of("alpha").clusterKey().toBytes());
    }

    @Test
    void joinKeyMacsDifferFromClusterKeyMacs() {
        ClusterKey key = Cookie.of("alpha").clusterKey();
        ClusterKey joinKey = ClusterKey.ofJoinSecret(key.joinSecret());
        byte[] part = "x".getBytes(StandardCharsets.UTF_8);
        assertThat(joinKey).isEqualTo(key.joinKey()).isNotEqualTo(key);
        assertThat(joinKey.verify(joinKey.mac("p", part), "p", part)).isTrue();
        assertThat(key.verify(joinKey.mac("p", part), "p", part)).isFalse();
    }

    @Test
    void keyBytesRoundTripAndAreValidated() {
        ClusterKey key = Cookie.of("alpha").clusterKey();
        assertThat(ClusterKey.ofBytes(key.toBytes())).isEqualTo(key);
        assertThatThrownBy(() -> ClusterKey.ofBytes(new byte[31]))
                .isInstanceOf(FormatException.class)
                .hasMessage("cluster key must be 32 bytes, got 31");
        assertThatThrownBy(() -> ClusterKey.ofJoinSecret(new byte[33]))
                .isInstanceOf(FormatException.class)
                .hasMessage("join secret must be 32 bytes, got 33");
    }

    @Test
    void credentialsMakeAJoinTicketTheyMatch() {
        ClusterCredentials credentials = Cookie.of("aspen").credentials();
        ClusterTicket join = credentials.joinTicket(PLAIN);
        assertThat(join.peers()).isEqualTo(PLAIN.peers());
        assertThat(join.joinSecret()).hasValueSatisfying(s -> assertThat(s)
                .isEqualTo(credentials.clusterKey().joinSecret()));
        assertThat(ClusterTicket.parse(join.toString())).isEqualTo(join);
        credentials.requireMatches(join);
    }

    @Test
    void credentialsRefuseATicketTheyDoNotMatch() {
        ClusterCredentials credentials = Cookie.of("aspen").credentials();
        var otherSecret = new ClusterTicket(PLAIN.clusterId(), Optional.of(new byte[32]), PLAIN.peers());
        assertThatThrownBy(() -> credentials.requireMatches(otherSecret))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("does not derive the ticket's join secret");
        assertThatThrownBy(() -> credentials.requireMatches(PLAIN))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("has no join secret");
        ClusterCredentials other = Cookie.of("beta").credentials();
        assertThatThrownBy(() -> other.requireMatches(credentials.joinTicket(PLAIN)))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("the ticket is for cluster " + PLAIN.clusterId());
    }

    @Test
    void neverPrintsTheKey() {
        ClusterCredentials credentials = Cookie.of("hunter2").credentials();
        assertThat(credentials.toString())
                .doesNotContain(credentials.clusterKey().toHex());
    }

    private static String blake3DeriveKey(String context, byte[] input) {
        var digest = new org.bouncycastle.crypto.digests.Blake3Digest(256);
        digest.init(org.bouncycastle.crypto.params.Blake3Parameters.context(context.getBytes(StandardCharsets.UTF_8)));
        digest.update(input, 0, input.length);
        byte[] out = new byte[32];
        digest.doFinal(out, 0, 32);
        return HexFormat.of().formatHex(out);
    }
}
