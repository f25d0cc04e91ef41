package dev.aspen.discovery;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.discovery.testing.InProcessCluster;
import dev.aspen.discovery.testing.KeyFiles;
import dev.aspen.discovery.testing.Records;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.TicketPeer;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiscoveryBuilderTest {
    @Test
    void namesTheMissingOrBadSetting() throws Exception {
        assertThatThrownBy(() -> Discovery.builder().build()).hasMessageContaining("cookie is required");
        assertThatThrownBy(() -> Discovery.builder().cookie(Cookie.of("x")).build())
                .hasMessageContaining("keyPair is required");
        assertThatThrownBy(() -> InProcessCluster.builder("x").quicAddress(null).build())
                .hasMessageContaining("quicAddress");
        assertThatThrownBy(() -> InProcessCluster.builder("x")
                        .bindAddress(InetAddress.getByName("0.0.0.0"))
                        .build())
                .hasMessageContaining("bindAddress");
        assertThatThrownBy(() -> InProcessCluster.builder("x").gossipPort(70000).build())
                .hasMessageContaining("gossipPort");
        assertThatThrownBy(() -> InProcessCluster.builder("x")
                        .beacon(true)
                        .beaconGroup(Records.loopback(7946))
                        .build())
                .hasMessageContaining("beaconGroup");
        assertThatThrownBy(() -> InProcessCluster.builder("x").incarnation(-1).build())
                .hasMessageContaining("incarnation");
    }

    @Test
    void rejectsATicketOfAnotherCluster() {
        var peer = new TicketPeer(NodeId.of(KeyFiles.generate().getPublic()), List.of(Records.loopback(7000)));
        var ticket = ClusterTicket.of(Cookie.of("other").clusterId(), List.of(peer));
        assertThatThrownBy(() -> InProcessCluster.builder("mine").ticket(ticket).build())
                .hasMessageContaining("ticket is for cluster");
    }

    @Test
    void credentialsStandInForTheCookie() {
        var peer = new TicketPeer(NodeId.of(KeyFiles.generate().getPublic()), List.of(Records.loopback(7000)));
        var ticket = ClusterTicket.of(Cookie.of("other").clusterId(), List.of(peer));
        InProcessCluster.builder("mine")
                .credentials(Cookie.of("other").credentials())
                .ticket(ticket)
                .build()
                .close();
        assertThatThrownBy(() -> InProcessCluster.builder("other")
                        .credentials(Cookie.of("mine").credentials())
                        .ticket(ticket)
                        .build())
                .hasMessageContaining("ticket is for cluster " + ticket.clusterId());
    }

    @Test
    void rejectsTooManySeeds() {
        var seeds = new java.util.ArrayList<java.net.InetSocketAddress>();
        for (int i = 1; i <= DiscoveryBuilder.MAX_SEEDS + 1; i++) {
            seeds.add(Records.loopback(10_000 + i));
        }
        assertThatThrownBy(() -> InProcessCluster.builder("x").seeds(seeds).build())
                .hasMessageContaining("at most " + DiscoveryBuilder.MAX_SEEDS + " seeds");
    }

    @Test
    void startTwiceIsRefused() {
        try (var cluster = new InProcessCluster()) {
            Discovery node = cluster.start(InProcessCluster.builder("twice"));
            assertThatThrownBy(node::start).hasMessageContaining("already started");
            node.close();
            assertThatThrownBy(() -> node.updateRole(Role.LEARNER)).hasMessageContaining("not running");
        }
    }

    @Test
    void aTakenGossipPortFailsStartNamingTheAddress() {
        try (var cluster = new InProcessCluster()) {
            Discovery first = cluster.start(InProcessCluster.builder("ports"));
            int port = first.localRecord().gossipAddress().getPort();
            assertThatThrownBy(() ->
                            cluster.start(InProcessCluster.builder("ports").gossipPort(port)))
                    .hasMessageContaining("cannot start gossip on")
                    .hasMessageContaining(String.valueOf(port));
        }
    }

    @Test
    void parsesPeersAndNamesABadEntry() {
        assertThatThrownBy(() -> InProcessCluster.builder("x").peers("127.0.0.1:7000,nohost"))
                .hasMessageContaining("nohost");
        try (var cluster = new InProcessCluster()) {
            Discovery seed = cluster.start(InProcessCluster.builder("peers"));
            int port = seed.localRecord().gossipAddress().getPort();
            Discovery joiner = cluster.start(InProcessCluster.builder("peers").peers("127.0.0.1:" + port));
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> joiner.directory()
                            .lookup(seed.localRecord().nodeId())
                            .isPresent());
        }
    }
}
