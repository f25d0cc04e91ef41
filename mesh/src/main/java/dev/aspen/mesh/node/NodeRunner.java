package dev.aspen.mesh.node;

import dev.aspen.consensus.RaftGroupConfig;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.SocketAddresses;
import dev.aspen.tickets.TicketPeer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code aspen node} with a validated {@link NodeConfig}. Today: a single-node cluster on
 * {@link NodeConfig#bind()} and {@link NodeConfig#quicPort()} (else the previous run's port);
 * the other settings are not used yet.
 */
public final class NodeRunner {
    private static final long LEADER_WAIT_SECONDS = 30;

    private NodeRunner() {}

    /**
     * Starts the node, prints how to reach it to {@code out}, and blocks until the process is
     * stopped (SIGTERM closes the node and exits 0).
     *
     * @return the exit status, should the node ever stop without the process exiting
     * @throws dev.aspen.tickets.FormatException if the data dir belongs to another cluster
     * @throws Exception if the node cannot start (a port in use, an unreadable data dir)
     */
    public static int run(NodeConfig config, PrintWriter out) throws Exception {
        Path dataDir = config.dataDir();
        Files.createDirectories(dataDir);
        NodeIdentity identity = NodeIdentity.loadOrCreate(dataDir);
        Cookie clusterCookie = NodeFiles.cookie(dataDir, config.cookie());
        var settings = new ReplicaNode.Settings(
                dataDir,
                identity,
                clusterCookie.clusterKey(),
                "kv",
                List.of(identity.nodeId()),
                id -> List.of(),
                QuicConfig.builder().bind(config.bind()).port(quicPort(config)).build(),
                RaftGroupConfig.defaults());
        ReplicaNode node = ReplicaNode.start(settings);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            node.close();
                            Runtime.getRuntime().halt(0); // a clean stop on SIGTERM exits 0
                        },
                        "aspen-shutdown"));
        awaitLeadership(node);
        var ticket = ClusterTicket.of(
                clusterCookie.clusterId(), List.of(new TicketPeer(identity.nodeId(), List.of(node.address()))));
        NodeFiles.writeNodeInfo(
                dataDir,
                new NodeFiles.NodeInfo(
                        identity.nodeId().toString(),
                        clusterCookie.clusterId().toString(),
                        SocketAddresses.format(node.address()),
                        ticket.toString()));
        out.println("aspen node " + identity.nodeId() + " is serving cluster " + clusterCookie.clusterId());
        out.println("  QUIC      " + SocketAddresses.format(node.address()));
        out.println("  data dir  " + dataDir.toAbsolutePath());
        out.println("  ticket    " + ticket);
        out.println("Try:  bin/aspen kv put hello world --data-dir " + dataDir);
        out.println("      bin/aspen kv get hello --data-dir " + dataDir);
        out.println("Stop with Ctrl-C (SIGTERM): the node shuts down cleanly.");
        out.flush();
        new CountDownLatch(1).await();
        return 0;
    }

    private static int quicPort(NodeConfig config) throws IOException {
        if (config.quicPort().isPresent()) {
            return config.quicPort().getAsInt();
        }
        Path dataDir = config.dataDir();
        if (Files.exists(dataDir.resolve(NodeFiles.NODE_FILE))) {
            return SocketAddresses.parse(NodeFiles.readNodeInfo(dataDir).quicAddress())
                    .getPort();
        }
        return 0;
    }

    private static void awaitLeadership(ReplicaNode node) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LEADER_WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (node.group().report().get(5, TimeUnit.SECONDS).role() == RaftGroupReport.Role.LEADER) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the node did not become leader of its one-node group within "
                + LEADER_WAIT_SECONDS + " s; see the log above");
    }
}
