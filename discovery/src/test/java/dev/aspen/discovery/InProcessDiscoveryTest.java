package dev.aspen.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aspen.discovery.internal.RecordMetadataCodec;
import dev.aspen.discovery.testing.InProcessCluster;
import dev.aspen.discovery.testing.KeyFiles;
import dev.aspen.discovery.testing.Records;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.TicketPeer;
import io.scalecube.cluster.Cluster;
import io.scalecube.cluster.ClusterImpl;
import io.scalecube.transport.netty.tcp.TcpTransportFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Several nodes in one JVM over loopback: cluster isolation, the beacon, role updates. */
class InProcessDiscoveryTest {
    private static final Duration FORM = Duration.ofSeconds(30);

    private final InProcessCluster cluster = new InProcessCluster();

    @AfterEach
    void closeAll() {
        cluster.close();
    }

    private static Set<NodeId> seen(Discovery node) {
        return node.directory().snapshot().stream().map(PeerRecord::nodeId).collect(Collectors.toSet());
    }

    private static NodeId id(Discovery node) {
        return node.localRecord().nodeId();
    }

    @Test
    void twoClustersWithDifferentCookiesNeverMergeEvenWhenSeededWithEachOther() {
        Discovery a1 = cluster.start(InProcessCluster.builder("cookie A"));
        Discovery a2 = cluster.start(InProcessCluster.builder("cookie A")
                .seeds(List.of(a1.localRecord().gossipAddress())));
        Discovery b1 = cluster.start(InProcessCluster.builder("cookie B")
                .seeds(List.of(a1.localRecord().gossipAddress())));
        Discovery b2 = cluster.start(InProcessCluster.builder("cookie B")
                .seeds(List.of(
                        b1.localRecord().gossipAddress(), a2.localRecord().gossipAddress())));
        await().atMost(FORM).untilAsserted(() -> {
            assertThat(seen(a1)).containsExactly(id(a2));
            assertThat(seen(b1)).containsExactly(id(b2));
        });
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(seen(a1)).containsExactly(id(a2));
            assertThat(seen(a2)).containsExactly(id(a1));
            assertThat(seen(b1)).containsExactly(id(b2));
            assertThat(seen(b2)).containsExactly(id(b1));
        });
    }

    @Test
    void aMemberThatKnowsOnlyThePublicClusterIdIsCountedAndNeverListed() {
        Discovery victim = cluster.start(InProcessCluster.builder("real cookie"));
        ClusterTicket ticket = ClusterTicket.of(
                Cookie.of("real cookie").clusterId(),
                List.of(new TicketPeer(id(victim), List.of(victim.localRecord().gossipAddress()))));
        KeyPair attackerKeys = KeyFiles.generate();
        int port = 20_000 + (int) (System.nanoTime() % 20_000);
        PeerRecord claim = Records.of(attackerKeys, port, System.currentTimeMillis());
        byte[] forged = SignedPeerRecord.sign(
                        claim, attackerKeys, Cookie.of("guessed cookie").clusterKey())
                .encode();
        Cluster attacker = new ClusterImpl()
                .config(c -> c.metadata(forged)
                        .metadataCodec(new RecordMetadataCodec())
                        .externalHost("127.0.0.1")
                        .externalPort(port))
                .transport(t -> t.port(port))
                .transportFactory(TcpTransportFactory::new)
                .membership(m -> m.namespace(ticket.clusterId().toString())
                        .seedMembers("127.0.0.1:"
                                + victim.localRecord().gossipAddress().getPort()))
                .startAwait();
        try {
            await().atMost(FORM)
                    .untilAsserted(() -> assertThat(victim.directory().rejectedCount(RejectReason.BAD_MAC))
                            .isPositive());
            assertThat(victim.directory().snapshot()).isEmpty();
            assertThat(victim.stats().recordsRejected()).containsEntry(RejectReason.BAD_MAC, 1L);
        } finally {
            attacker.shutdown();
            attacker.onShutdown().block(Duration.ofSeconds(10));
        }
    }

    @Test
    void nodesWithTheSameCookieAndNoSeedsFindEachOtherThroughTheBeacon() throws Exception {
        InetSocketAddress group = InProcessCluster.randomBeaconGroup();
        List<Discovery> same = List.of(
                cluster.start(
                        InProcessCluster.builder("zero config").beacon(true).beaconGroup(group)),
                cluster.start(
                        InProcessCluster.builder("zero config").beacon(true).beaconGroup(group)),
                cluster.start(
                        InProcessCluster.builder("zero config").beacon(true).beaconGroup(group)));
        Discovery stranger = cluster.start(
                InProcessCluster.builder("other cookie").beacon(true).beaconGroup(group));
        await().atMost(FORM).untilAsserted(() -> {
            for (Discovery node : same) {
                assertThat(seen(node)).hasSize(2).doesNotContain(id(node), id(stranger));
            }
        });
        assertThat(seen(stranger)).isEmpty();
        assertThat(stranger.stats().beaconsRejected())
                .extractingByKey("OTHER_CLUSTER")
                .isNotEqualTo(0L);
        assertThat(same.get(0).stats().beaconsAccepted()).isPositive();

        long before = same.get(0).stats().beaconsRejected().getOrDefault("MALFORMED", 0L);
        try (var socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] junk = "not a beacon".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(junk, junk.length, group));
        }
        await().atMost(FORM).untilAsserted(() -> assertThat(same.get(0).stats().beaconsRejected())
                .extractingByKey("MALFORMED")
                .isEqualTo(before + 1));
        assertThat(seen(same.get(0))).hasSize(2);
    }

    @Test
    void aRoleChangeReachesPeersAsAnUpdateWithAHigherIncarnation() {
        Discovery a = cluster.start(InProcessCluster.builder("roles").role(Role.LEARNER));
        Discovery b = cluster.start(
                InProcessCluster.builder("roles").seeds(List.of(a.localRecord().gossipAddress())));
        await().atMost(FORM)
                .untilAsserted(() -> assertThat(b.directory().lookup(id(a))).isPresent());
        long before = b.directory().lookup(id(a)).orElseThrow().incarnation();
        a.updateRole(Role.VOTER);
        await().atMost(FORM).untilAsserted(() -> {
            PeerRecord seen = b.directory().lookup(id(a)).orElseThrow();
            assertThat(seen.role()).isEqualTo(Role.VOTER);
            assertThat(seen.incarnation()).isEqualTo(before + 1);
        });
        assertThat(b.stats().gossipBytesReceived()).isPositive();
    }

    @Test
    void aGracefulLeaveIsReportedAsSuspectThenLeft() {
        Discovery a = cluster.start(InProcessCluster.builder("leave"));
        Discovery b = cluster.start(
                InProcessCluster.builder("leave").seeds(List.of(a.localRecord().gossipAddress())));
        var events = new java.util.concurrent.CopyOnWriteArrayList<PeerEvent.Type>();
        a.directory().addListener(event -> events.add(event.type()));
        await().atMost(FORM)
                .untilAsserted(() -> assertThat(a.directory().lookup(id(b))).isPresent());
        cluster.stop(b);
        await().atMost(FORM)
                .untilAsserted(() -> assertThat(a.directory().lookup(id(b))).isEmpty());
        assertThat(events).endsWith(PeerEvent.Type.LEFT);
    }
}
