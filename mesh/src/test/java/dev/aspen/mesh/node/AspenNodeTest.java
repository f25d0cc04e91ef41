package dev.aspen.mesh.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.aspen.kv.ReadConsistency;
import dev.aspen.mesh.cluster.ClusterStatus;
import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.mesh.rpc.PeerConnector;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.FormatException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole nodes in one JVM on loopback: bootstrap by expected count, a ticket join, autopilot
 * promotion and replacement of a dead voter, a restart from the data directory alone.
 */
class AspenNodeTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final List<AspenNode> running = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void kwikThreadsMayThrow() {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    @AfterEach
    void stopAll() {
        running.forEach(AspenNode::close);
    }

    @Test
    void singleNodeWithExpectOneFormsAndServesAtOnce() throws Exception {
        AspenNode node = start(config("solo", 1, List.of(), Optional.empty(), freePort()));

        node.kv().put(bytes("k"), bytes("v")).get(10, TimeUnit.SECONDS);

        ClusterStatus status = node.admin().status().get(5, TimeUnit.SECONDS);
        assertThat(status.selfRole()).isEqualTo("leader");
        assertThat(status.voters()).hasSize(1);
        assertThat(node.ticket().peers()).hasSize(1);
    }

    @Test
    void aSingleNodeIsHealthyAsSoonAsItLeadsNotAtTheNextPeriodicReport() throws Exception {
        AspenNode node = start(config("solo", 1, List.of(), Optional.empty(), freePort()));

        // MicroRaft's periodic report comes 10 s after start; the node must not wait for it.
        await().atMost(Duration.ofSeconds(5)).until(() -> node.unhealthyReason().isEmpty());
    }

    @Test
    void aNodeWithOnlyAJoinTicketJoinsAndRestartsFromItsDataDirAlone() throws Exception {
        List<AspenNode> voters = bootstrapThree();
        AspenNode leader = leaderOf(voters).orElseThrow();
        leader.kv().put(bytes("before"), bytes("the join")).get(10, TimeUnit.SECONDS);

        int port = freePort();
        ClusterTicket plain = ClusterTicket.parse(leader.ticket().toString());
        assertThatThrownBy(() -> start(withoutCookie(config("n3", 0, List.of(), Optional.of(plain), port))))
                .isInstanceOf(FormatException.class)
                .hasMessage(PeerConnector.NO_JOIN_SECRET);

        ClusterTicket joinTicket =
                ClusterTicket.parse(leader.admin().joinTicket().toString());
        AspenNode joiner = start(withoutCookie(config("n3", 0, List.of(), Optional.of(joinTicket), port)));
        assertThat(dir.resolve("n3").resolve(NodeFiles.COOKIE_FILE)).doesNotExist();
        assertThat(dir.resolve("n3").resolve(NodeFiles.CLUSTER_KEY_FILE)).exists();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> joiner.admin().status().get(5, TimeUnit.SECONDS).selfRole(), "learner"::equals);
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> localValue(joiner, "before"), "the join"::equals);

        joiner.close();
        running.remove(joiner);
        leader.kv().put(bytes("while"), bytes("it was away")).get(10, TimeUnit.SECONDS);
        AspenNode back = start(withoutCookie(config("n3", 0, List.of(), Optional.empty(), port)));
        assertThat(back.nodeId()).isEqualTo(joiner.nodeId());
        assertThat(back.admin().status().get(5, TimeUnit.SECONDS).clusterId()).isEqualTo(joinTicket.clusterId());
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> localValue(back, "while"), "it was away"::equals);
    }

    @Test
    void threeNodesBootstrapThenATicketJoinerIsPromotedWhenAVoterDies() throws Exception {
        List<AspenNode> voters = bootstrapThree();
        AspenNode leader = leaderOf(voters).orElseThrow();
        assertThat(leader.admin().status().get(5, TimeUnit.SECONDS).voters()).hasSize(3);

        ClusterTicket ticket = leader.ticket();
        AspenNode joiner = start(config("n3", 0, List.of(), Optional.of(ticket), freePort()));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            ClusterStatus status = leader.admin().status().get(5, TimeUnit.SECONDS);
            return status.members().size() == 4 && status.voters().size() == 3;
        });
        await().atMost(Duration.ofSeconds(10))
                .until(() -> joiner.admin().status().get(5, TimeUnit.SECONDS).selfRole(), "learner"::equals);

        joiner.kv().put(bytes("through-learner"), bytes("forwarded")).get(10, TimeUnit.SECONDS);
        assertThat(leader.kv()
                        .get(bytes("through-learner"))
                        .get(10, TimeUnit.SECONDS)
                        .kv())
                .map(kv -> new String(kv.value(), StandardCharsets.UTF_8))
                .contains("forwarded");

        AspenNode victim = voters.stream().filter(n -> n != leader).findFirst().orElseThrow();
        victim.close();
        running.remove(victim);
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            ClusterStatus status = leader.admin().status().get(5, TimeUnit.SECONDS);
            assertThat(status.members())
                    .extracting(ClusterStatus.Member::nodeId)
                    .doesNotContain(victim.nodeId());
            assertThat(status.voters()).extracting(ClusterStatus.Member::nodeId).contains(joiner.nodeId());
        });
        ClusterStatus status = leader.admin().status().get(5, TimeUnit.SECONDS);
        assertThat(status.autopilot().decisions())
                .extracting(ClusterStatus.Decision::action)
                .containsSubsequence("remove", "promote");
    }

    /** Three nodes formed by bootstrap-expect; returns once one of them leads. */
    private List<AspenNode> bootstrapThree() throws Exception {
        int[] ports = {freePort(), freePort(), freePort()};
        List<InetSocketAddress> seeds = new ArrayList<>();
        for (int port : ports) {
            seeds.add(new InetSocketAddress(LOOPBACK, port));
        }
        List<CompletableFuture<AspenNode>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            NodeConfig config = config("n" + i, 3, seeds, Optional.empty(), ports[i]);
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return start(config);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<AspenNode> voters = new ArrayList<>();
        for (CompletableFuture<AspenNode> future : starting) {
            voters.add(future.get(60, TimeUnit.SECONDS));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> leaderOf(voters).isPresent());
        await().atMost(Duration.ofSeconds(30)).until(() -> leaderOf(voters).isPresent());
        return voters;
    }

    /** The value of {@code key} in {@code node}'s own state (a stale read), or null. */
    private static String localValue(AspenNode node, String key) throws Exception {
        return node.kv()
                .get(bytes(key), ReadConsistency.stale())
                .get(5, TimeUnit.SECONDS)
                .kv()
                .map(kv -> new String(kv.value(), StandardCharsets.UTF_8))
                .orElse(null);
    }

    private static NodeConfig withoutCookie(NodeConfig config) {
        return new NodeConfig(
                config.dataDir(),
                Optional.empty(),
                config.ticket(),
                config.peers(),
                config.bind(),
                config.quicPort(),
                config.gossipPort(),
                config.httpPort(),
                config.bootstrapExpect(),
                config.voters(),
                config.lan(),
                config.httpBind(),
                config.httpToken(),
                config.timing(),
                config.heartbeatPeriod(),
                config.electionTimeout(),
                config.deadVoterGrace(),
                config.diskFullPercent(),
                config.faultInjection());
    }

    private AspenNode start(NodeConfig config) throws IOException, InterruptedException {
        AspenNode node = AspenNode.start(config);
        synchronized (running) {
            running.add(node);
        }
        return node;
    }

    private static Optional<AspenNode> leaderOf(List<AspenNode> nodes) {
        for (AspenNode node : nodes) {
            try {
                if (node.admin().status().get(5, TimeUnit.SECONDS).selfRole().equals("leader")) {
                    return Optional.of(node);
                }
            } catch (Exception e) {
                // not ready
            }
        }
        return Optional.empty();
    }

    private NodeConfig config(
            String name, int expect, List<InetSocketAddress> peers, Optional<ClusterTicket> ticket, int port) {
        return new NodeConfig(
                dir.resolve(name),
                Optional.of("aspen-node-test"),
                ticket,
                peers,
                LOOPBACK,
                OptionalInt.of(port),
                OptionalInt.of(port),
                OptionalInt.of(0),
                expect,
                3,
                false,
                LOOPBACK,
                Optional.empty(),
                NodeConfig.Timing.LAN,
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                Duration.ofSeconds(2),
                95,
                false);
    }

    /** A port free for both UDP (QUIC) and TCP (gossip) on loopback. */
    private static int freePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
                    ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 1, LOOPBACK)) {
                return udp.getLocalPort();
            } catch (IOException e) {
                // TCP twin taken; try another
            }
        }
        throw new IOException("no free port pair");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
