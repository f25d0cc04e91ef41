package dev.aspen.discovery.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.discovery.testing.KeyFiles;
import dev.aspen.discovery.testing.Records;
import dev.aspen.tickets.ClusterId;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BeaconPacketTest {
    private final Cookie cookie = Cookie.of("beacon test");
    private final ClusterId clusterId = cookie.clusterId();
    private final ClusterKey key = cookie.clusterKey();
    private final NodeId node = NodeId.of(KeyFiles.generate().getPublic());
    private final BeaconPacket packet =
            new BeaconPacket(clusterId, node, 1_000_000L, new byte[16], Records.loopback(7000));

    private void assertRejected(byte[] bytes, BeaconRejectedException.Reason reason, String message) {
        assertThatThrownBy(() -> BeaconPacket.decode(bytes, clusterId, key))
                .isInstanceOf(BeaconRejectedException.class)
                .hasMessageContaining(message)
                .extracting(e -> ((BeaconRejectedException) e).reason())
                .isEqualTo(reason);
    }

    @Test
    void roundTripsWithinTheSizeLimit() {
        byte[] bytes = packet.encode(key);
        assertThat(bytes.length).isLessThanOrEqualTo(BeaconPacket.MAX_BYTES);
        assertThat(bytes[0]).isEqualTo((byte) BeaconPacket.VERSION);
        assertThat(BeaconPacket.decode(bytes, clusterId, key)).isEqualTo(packet);
    }

    @Test
    void rejectsAnotherClustersBeacon() {
        Cookie other = Cookie.of("other cluster");
        byte[] bytes = new BeaconPacket(other.clusterId(), node, 1, new byte[16], Records.loopback(7000))
                .encode(other.clusterKey());
        assertRejected(bytes, BeaconRejectedException.Reason.OTHER_CLUSTER, "beacon of cluster");
    }

    @Test
    void rejectsOurClusterIdWithAForgedMac() {
        byte[] bytes = packet.encode(Cookie.of("guess").clusterKey());
        assertRejected(bytes, BeaconRejectedException.Reason.BAD_MAC, "MAC");
        byte[] tampered = packet.encode(key);
        tampered[tampered.length - 40] ^= 1; // inside the gossip address
        assertRejected(tampered, BeaconRejectedException.Reason.BAD_MAC, "MAC");
    }

    @Test
    void rejectsMalformedPackets() {
        byte[] bytes = packet.encode(key);
        assertRejected(Arrays.copyOf(bytes, bytes.length - 1), BeaconRejectedException.Reason.MALFORMED, "truncated");
        assertRejected(Arrays.copyOf(bytes, bytes.length + 1), BeaconRejectedException.Reason.MALFORMED, "trailing");
        assertRejected(new byte[BeaconPacket.MAX_BYTES + 1], BeaconRejectedException.Reason.MALFORMED, "limit");
        byte[] version = bytes.clone();
        version[0] = 7;
        assertRejected(version, BeaconRejectedException.Reason.MALFORMED, "version 7");
    }

    @Test
    void replayGuardRejectsOldTimestampsAndRepeatedNonces() {
        var guard = new ReplayGuard(Duration.ofSeconds(30));
        guard.check(packet, packet.timestampMillis() + 29_000);
        assertThatThrownBy(() -> guard.check(packet, packet.timestampMillis() + 1000))
                .extracting(e -> ((BeaconRejectedException) e).reason())
                .isEqualTo(BeaconRejectedException.Reason.REPLAYED);
        byte[] nonce = new byte[16];
        nonce[0] = 1;
        var old = new BeaconPacket(clusterId, node, 0, nonce, Records.loopback(7000));
        assertThatThrownBy(() -> guard.check(old, 31_000))
                .extracting(e -> ((BeaconRejectedException) e).reason())
                .isEqualTo(BeaconRejectedException.Reason.STALE);
    }

    @Test
    void beaconSeedsMapPlaceholdersToLearnedAddresses() {
        var seeds = new BeaconSeeds();
        String placeholder = seeds.placeholders().get(0);
        assertThat(seeds.apply(placeholder)).isEqualTo("127.0.0.1:0");
        seeds.learn(Records.loopback(7001));
        seeds.learn(Records.loopback(7001));
        seeds.learn(Records.loopback(7002));
        assertThat(seeds.apply(placeholder)).isEqualTo("127.0.0.1:7001");
        assertThat(seeds.apply(seeds.placeholders().get(1))).isEqualTo("127.0.0.1:7002");
        assertThat(seeds.apply(seeds.placeholders().get(2))).isEqualTo("127.0.0.1:7001");
        assertThat(seeds.apply("10.0.0.1:5")).isEqualTo("10.0.0.1:5");
    }
}
