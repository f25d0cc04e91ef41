package dev.aspen.mesh.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network partitions made with the nodes' QUIC fault switch ({@link AspenNode#partition}), on three
 * whole nodes in one JVM on loopback.
 */
class PartitionTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final byte[] KEY = bytes("k");
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
    void anIsolatedLeaderIsReplacedCannotCommitAndCatchesUpAfterTheHeal() throws Exception {
        List<AspenNode> nodes = startCluster(3);
        await().atMost(Duration.ofSeconds(30)).until(() -> agreedLeader(nodes).isPresent());
        AspenNode old = agreedLeader(nodes).orElseThrow();
        List<AspenNode> majority = nodes.stream().filter(n -> n != old).toList();
        old.kv().put(KEY, bytes("before")).get(10, TimeUnit.SECONDS);

        AspenNode.partition(List.of(old), majority);

        // The majority elects one of its own and takes writes.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> agreedLeader(majority).isPresent());
        AspenNode next = agreedLeader(majority).orElseThrow();
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> next.kv().put(KEY, bytes("during")).get(5, TimeUnit.SECONDS) != null);
        // The old leader cannot commit: its write fails (it hears from no majority, and the new
        // leader it might forward to is cut off too) and it still holds the value from before.
        CompletableFuture<?> lost = old.kv().put(KEY, bytes("lost"));
        await().atMost(Duration.ofSeconds(60)).until(lost::isDone);
        assertThat(lost).isCompletedExceptionally();
        assertThat(staleValue(old)).isEqualTo("before");
        JsonNode faults = debugFaults(old);
        assertThat(faults.get("blocked"))
                .extracting(JsonNode::asText)
                .containsExactlyInAnyOrderElementsOf(majority.stream()
                        .map(n -> SocketAddresses.format(n.quicAddress()))
                        .toList());
        assertThat(faults.get("dropped").asLong()).isPositive();

        AspenNode.heal(List.of(old), majority);

        await().atMost(Duration.ofSeconds(60)).until(() -> agreedLeader(nodes).isPresent());
        assertThat(leadersClaimed(nodes)).hasSize(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> staleValue(old).equals("during"));
        assertThat(old.linkFaults().orElseThrow().blocked()).isEmpty();
        for (AspenNode node : nodes) {
            assertThat(node.kv().get(KEY).get(10, TimeUnit.SECONDS).kv())
                    .map(kv -> new String(kv.value(), StandardCharsets.UTF_8))
                    .contains("during");
        }
    }

    private List<AspenNode> startCluster(int count) throws Exception {
        List<InetSocketAddress> seeds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            seeds.add(new InetSocketAddress(LOOPBACK, freePort()));
        }
        List<CompletableFuture<AspenNode>> starting = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int port = seeds.get(i).getPort();
            NodeConfig config = NodeConfig.builder(dir.resolve("n" + i))
                    .cookie("aspen-partition-test")
                    .bind(LOOPBACK)
                    .quicPort(port)
                    .gossipPort(port)
                    .httpPort(0)
                    .peers(seeds)
                    .bootstrapExpect(count)
                    .lan(false)
                    .faultInjection(true)
                    .build();
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    AspenNode node = AspenNode.start(config);
                    synchronized (running) {
                        running.add(node);
                    }
                    return node;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<AspenNode> nodes = new ArrayList<>();
        for (CompletableFuture<AspenNode> future : starting) {
            nodes.add(future.get(90, TimeUnit.SECONDS));
        }
        return nodes;
    }

    /** The leader every one of {@code nodes} names, if they agree and it is one of them. */
    private static Optional<AspenNode> agreedLeader(List<AspenNode> nodes) {
        Set<Optional<NodeId>> named = new HashSet<>();
        for (AspenNode node : nodes) {
            try {
                named.add(node.admin().status().get(5, TimeUnit.SECONDS).leader());
            } catch (Exception e) {
                return Optional.empty();
            }
        }
        if (named.size() != 1) {
            return Optional.empty();
        }
        Optional<NodeId> leader = named.iterator().next();
        return nodes.stream()
                .filter(n -> leader.isPresent() && n.nodeId().equals(leader.get()))
                .findFirst();
    }

    private static List<AspenNode> leadersClaimed(List<AspenNode> nodes) throws Exception {
        List<AspenNode> leaders = new ArrayList<>();
        for (AspenNode node : nodes) {
            if (node.admin().status().get(5, TimeUnit.SECONDS).selfRole().equals("leader")) {
                leaders.add(node);
            }
        }
        return leaders;
    }

    private static String staleValue(AspenNode node) throws Exception {
        return node.kv()
                .get(KEY, ReadConsistency.stale())
                .get(5, TimeUnit.SECONDS)
                .kv()
                .map(kv -> new String(kv.value(), StandardCharsets.UTF_8))
                .orElse("(absent)");
    }

    private static JsonNode debugFaults(AspenNode node) throws Exception {
        URI uri = URI.create("http://" + SocketAddresses.format(node.httpAddress()) + "/v1/debug/faults");
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(20))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
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
