package dev.aspen.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aspen.discovery.testing.InProcessCluster;
import dev.aspen.discovery.testing.KeyFiles;
import dev.aspen.discovery.testing.NodeProcess;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.TicketPeer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Separate JVMs on loopback: the ticket join, kill -9, restart with the same identity. */
class MultiProcessDiscoveryTest {
    private static final String COOKIE = "multi-process test cookie";
    private static final Duration FORM = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<NodeProcess> processes = new ArrayList<>();

    @AfterEach
    void killAll() {
        processes.forEach(NodeProcess::close);
    }

    private record Node(KeyPair keys, Path keyFile, int port) {
        String nodeId() {
            return NodeId.of(keys.getPublic()).toString();
        }
    }

    private List<Node> nodes(int count) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            KeyPair keys = KeyFiles.generate();
            Path file = dir.resolve("node-" + i + ".key");
            KeyFiles.write(keys, file);
            nodes.add(new Node(keys, file, freePort()));
        }
        return nodes;
    }

    private static int freePort() {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String ticket(List<Node> nodes) {
        var peers = nodes.stream()
                .map(n -> new TicketPeer(
                        NodeId.of(n.keys().getPublic()),
                        List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), n.port()))))
                .toList();
        return ClusterTicket.of(Cookie.of(COOKIE).clusterId(), peers).toString();
    }

    private NodeProcess launch(Node node, String ticket) {
        var process = NodeProcess.start(List.of(
                "--cookie",
                COOKIE,
                "--key",
                node.keyFile().toString(),
                "--port",
                String.valueOf(node.port()),
                "--ticket",
                ticket));
        processes.add(process);
        return process;
    }

    private static void awaitFullView(List<NodeProcess> running, List<Node> nodes) {
        await().atMost(FORM).untilAsserted(() -> {
            for (int i = 0; i < running.size(); i++) {
                assertThat(running.get(i).ready()).as("node %d ready", i).isTrue();
                var expected = new ArrayList<String>();
                for (int j = 0; j < nodes.size(); j++) {
                    if (j != i) {
                        expected.add(nodes.get(j).nodeId());
                    }
                }
                assertThat(running.get(i).view().keySet())
                        .as("view of node %d", i)
                        .containsExactlyInAnyOrderElementsOf(expected);
            }
        });
    }

    @Test
    void threeNodesFromOneTicketSeeEachOtherDetectKillAndSeeRestartWithHigherIncarnation() {
        List<Node> nodes = nodes(3);
        String ticket = ticket(nodes);
        List<NodeProcess> running =
                new ArrayList<>(nodes.stream().map(n -> launch(n, ticket)).toList());
        awaitFullView(running, nodes);
        for (NodeProcess p : running) {
            assertThat(p.view())
                    .allSatisfy((id, incarnation) -> assertThat(incarnation).isPositive());
        }

        Node victim = nodes.get(2);
        long firstIncarnation = running.get(2).incarnation();
        running.get(2).kill();
        await().atMost(FORM).untilAsserted(() -> {
            for (NodeProcess survivor : running.subList(0, 2)) {
                assertThat(survivor.reported("LEFT", victim.nodeId())).isTrue();
                assertThat(survivor.view()).doesNotContainKey(victim.nodeId());
            }
        });

        NodeProcess restarted = launch(victim, ticket);
        running.set(2, restarted);
        awaitFullView(running, nodes);
        assertThat(restarted.incarnation()).isGreaterThan(firstIncarnation);
        assertThat(running.get(0).view().get(victim.nodeId())).isEqualTo(restarted.incarnation());
        assertThat(running.get(1).view().get(victim.nodeId())).isEqualTo(restarted.incarnation());
    }

    @Test
    void fiveNodesFromOneTicketAllSeeEachOthersVerifiedRecords() {
        List<Node> nodes = nodes(5);
        String ticket = ticket(nodes);
        List<NodeProcess> running = nodes.stream().map(n -> launch(n, ticket)).toList();
        awaitFullView(running, nodes);
        // Every view holds exactly the incarnation each node announced: the records are the real ones.
        for (NodeProcess viewer : running) {
            for (NodeProcess other : running) {
                if (other != viewer) {
                    assertThat(viewer.view()).containsEntry(other.nodeId(), other.incarnation());
                }
            }
        }
    }

    @Test
    void processesWithTheSameCookieAndNoSeedsFindEachOtherThroughTheBeacon() {
        List<Node> nodes = nodes(2);
        String beaconPort = String.valueOf(InProcessCluster.randomBeaconGroup().getPort());
        List<NodeProcess> running = nodes.stream()
                .map(n -> {
                    var process = NodeProcess.start(
                            List.of("--cookie", COOKIE, "--key", n.keyFile().toString(), "--beacon-port", beaconPort));
                    processes.add(process);
                    return process;
                })
                .toList();
        awaitFullView(running, nodes);
    }
}
