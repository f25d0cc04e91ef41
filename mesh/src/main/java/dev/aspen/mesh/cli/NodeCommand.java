package dev.aspen.mesh.cli;

import dev.aspen.consensus.RaftGroupConfig;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.node.NodeFiles;
import dev.aspen.mesh.node.ReplicaNode;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.SocketAddresses;
import dev.aspen.tickets.TicketPeer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aspen node}: runs a single-node cluster from a data directory. Discovery, joining and
 * multi-node bootstrap come with the full node; this is the working core it builds on.
 */
@Command(
        name = "node",
        mixinStandardHelpOptions = true,
        description = "Run a node (today: a single-node cluster; state, identity and cookie live in the data dir).")
final class NodeCommand implements Callable<Integer> {
    private static final long LEADER_WAIT_SECONDS = 30;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--data-dir",
            defaultValue = "${env:ASPEN_DATA_DIR:-aspen-data}",
            description = "Where the node keeps its identity, log, state and cookie (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(
            names = "--cookie",
            defaultValue = "${env:ASPEN_COOKIE}",
            description =
                    "Cluster secret (or ASPEN_COOKIE). Default: the one stored in the data dir, or a new random one.")
    String cookie;

    @Option(
            names = "--bind",
            defaultValue = "127.0.0.1",
            description = "IP address to serve on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(
            names = "--port",
            description = "UDP port for QUIC; default: the port of the previous run, else a free one.")
    Integer port;

    @Override
    public Integer call() throws Exception {
        InetAddress address = bindAddress();
        Files.createDirectories(dataDir);
        NodeIdentity identity = NodeIdentity.loadOrCreate(dataDir);
        Cookie clusterCookie = NodeFiles.cookie(dataDir, Optional.ofNullable(cookie));
        var settings = new ReplicaNode.Settings(
                dataDir,
                identity,
                clusterCookie.clusterKey(),
                "kv",
                List.of(identity.nodeId()),
                id -> List.of(),
                QuicConfig.builder().bind(address).port(portToUse()).build(),
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
        var out = spec.commandLine().getOut();
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

    private InetAddress bindAddress() {
        InetSocketAddress parsed = SocketAddresses.parse(bracketed(bind) + ":1");
        if (parsed.getAddress().isAnyLocalAddress()) {
            throw new FormatException("--bind " + bind + " is a wildcard address; give the address peers and clients"
                    + " should reach this node at, which the ticket carries");
        }
        return parsed.getAddress();
    }

    private static String bracketed(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private int portToUse() throws java.io.IOException {
        if (port != null) {
            if (port < 0 || port > 65535) {
                throw new FormatException("--port must be 0 to 65535, got " + port);
            }
            return port;
        }
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
