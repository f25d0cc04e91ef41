package dev.aspen.bench;

import dev.aspen.consensus.RaftGroupConfig;
import dev.aspen.mesh.client.AspenClient;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.node.ReplicaNode;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.TicketPeer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for three {@code aspen node} processes until they exist: three {@link ReplicaNode}s
 * with durable (fsync'd) Raft logs in one JVM, as {@code mesh/bench.sh} runs them. Usage:
 * {@code InProcessCluster DIR} with the cookie in ASPEN_COOKIE (default "bench"); once a leader
 * commits, writes the cluster ticket to {@code DIR/ticket} and serves until killed.
 */
public final class InProcessCluster {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String cookie = Optional.ofNullable(System.getenv("ASPEN_COOKIE")).orElse("bench");
        Cookie parsed = Cookie.of(cookie);
        Map<NodeId, InetSocketAddress> addresses = new ConcurrentHashMap<>();
        List<NodeIdentity> identities =
                List.of(NodeIdentity.generate(), NodeIdentity.generate(), NodeIdentity.generate());
        List<NodeId> members = identities.stream().map(NodeIdentity::nodeId).toList();
        List<ReplicaNode> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ReplicaNode node = ReplicaNode.start(new ReplicaNode.Settings(
                    dir.resolve("n" + i),
                    identities.get(i),
                    parsed.clusterKey(),
                    "kv",
                    members,
                    id -> Optional.ofNullable(addresses.get(id)).map(List::of).orElse(List.of()),
                    QuicConfig.builder().build(),
                    RaftGroupConfig.defaults()));
            addresses.put(node.nodeId(), node.address());
            nodes.add(node);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> nodes.forEach(ReplicaNode::close)));
        ClusterTicket ticket = ClusterTicket.of(
                parsed.clusterId(),
                nodes.stream()
                        .map(n -> new TicketPeer(n.nodeId(), List.of(n.address())))
                        .toList());
        try (AspenClient client = AspenClient.connect(ticket, cookie)) {
            awaitLeader(client);
        }
        Path temp = dir.resolve("ticket.tmp");
        Files.writeString(temp, ticket + "\n", StandardCharsets.UTF_8);
        Files.move(temp, dir.resolve("ticket"));
        System.out.println("in-process cluster ready: " + ticket);
        Thread.currentThread().join();
    }

    private static void awaitLeader(AspenClient client) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                client.put("bench/ready".getBytes(StandardCharsets.UTF_8), new byte[0])
                        .get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no leader within 60 s", e);
                }
                Thread.sleep(100); // not a test: waiting for the first election
            }
        }
    }
}
