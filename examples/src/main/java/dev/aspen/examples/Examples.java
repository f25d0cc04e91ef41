package dev.aspen.examples;

import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.mesh.config.NodeConfigBuilder;
import dev.aspen.mesh.node.AspenNode;
import dev.aspen.tickets.NodeId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** What every example shares: printing, local nodes on loopback, waiting, and ending the JVM. */
final class Examples {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** How long any single call of an example may take before it counts as failed. */
    static final long CALL_SECONDS = 10;

    private Examples() {}

    /** The body of an example's {@code main}. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs an example and ends the JVM: status 0 when {@code body} returns, 1 (and the error on
     * stderr) when it throws. The exit is explicit because Kwik, the QUIC library, leaves non-daemon
     * threads running after every endpoint is closed, so {@code main} returning would not end the
     * process.
     */
    static void run(Body body) {
        int status = 0;
        try {
            body.run();
        } catch (Throwable e) {
            System.out.flush();
            System.err.println("example failed: " + e);
            e.printStackTrace();
            status = 1;
        }
        System.out.flush();
        System.exit(status);
    }

    /** Prints one line of what the example does. */
    static void say(String format, Object... args) {
        System.out.println(String.format(format, args));
        System.out.flush();
    }

    /** Waits for a future, at most {@link #CALL_SECONDS}. */
    static <T> T join(CompletableFuture<T> future) throws Exception {
        return future.get(CALL_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Polls {@code condition} every 100 ms until it is true; a condition that throws counts as
     * false (the cluster may be between leaders).
     *
     * @throws IllegalStateException naming {@code what} when {@code timeout} passes first
     */
    static void await(String what, Duration timeout, Callable<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (Exception e) {
                // not yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }

    /** A node config on loopback, with the LAN beacon off and one free port for QUIC and gossip. */
    static NodeConfigBuilder localNode(Path dataDir, String cookie) throws IOException {
        int port = freePort();
        return NodeConfig.builder(dataDir)
                .cookie(cookie)
                .bind(LOOPBACK)
                .quicPort(port)
                .gossipPort(port)
                .httpPort(0)
                .lan(false);
    }

    /**
     * Configs of {@code count} nodes on loopback that form one cluster by bootstrap-expect: each
     * knows the others' gossip addresses as peers and waits until it sees {@code count} nodes.
     */
    static List<NodeConfig> bootstrapping(Path dir, String cookie, int count) throws IOException {
        return bootstrapping(dir, cookie, count, UnaryOperator.identity());
    }

    /** As {@link #bootstrapping(Path, String, int)}, with {@code more} settings on every node. */
    static List<NodeConfig> bootstrapping(Path dir, String cookie, int count, UnaryOperator<NodeConfigBuilder> more)
            throws IOException {
        List<InetSocketAddress> seeds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            seeds.add(new InetSocketAddress(LOOPBACK, freePort()));
        }
        List<NodeConfig> configs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<InetSocketAddress> others = new ArrayList<>(seeds);
            InetSocketAddress self = others.remove(i); // gossip warns about a seed that is itself
            configs.add(more.apply(NodeConfig.builder(dir.resolve("node-" + i))
                            .cookie(cookie)
                            .bind(LOOPBACK)
                            .quicPort(self.getPort())
                            .gossipPort(self.getPort())
                            .httpPort(0)
                            .peers(others)
                            .bootstrapExpect(count)
                            .lan(false))
                    .build());
        }
        return configs;
    }

    /** Starts nodes in parallel (each {@link AspenNode#start} blocks until its cluster forms). */
    static List<AspenNode> startAll(List<NodeConfig> configs) throws Exception {
        List<CompletableFuture<AspenNode>> starting = new ArrayList<>();
        for (NodeConfig config : configs) {
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return AspenNode.start(config);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
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

    /**
     * Waits until one of {@code nodes} leads and every one of them knows it (so a write through any
     * of them is forwarded to it at once), and returns the leader.
     */
    static AspenNode awaitLeader(List<AspenNode> nodes, Duration timeout) throws InterruptedException {
        AtomicReference<AspenNode> leader = new AtomicReference<>();
        await("a leader known to all " + nodes.size() + " nodes", timeout, () -> {
            agreedLeader(nodes).ifPresent(leader::set);
            return leader.get() != null;
        });
        return leader.get();
    }

    private static Optional<AspenNode> agreedLeader(List<AspenNode> nodes) throws Exception {
        Optional<NodeId> leader = Optional.empty();
        for (AspenNode node : nodes) {
            Optional<NodeId> seen = join(node.admin().status()).leader();
            if (seen.isEmpty() || (leader.isPresent() && !leader.equals(seen))) {
                return Optional.empty();
            }
            leader = seen;
        }
        NodeId id = leader.orElseThrow();
        return nodes.stream().filter(node -> node.nodeId().equals(id)).findFirst();
    }

    /** The first 8 characters of a node's id, enough to tell the nodes of an example apart. */
    static String shortId(AspenNode node) {
        return node.nodeId().toString().substring(0, 8);
    }

    /** A new temporary directory for an example's data. */
    static Path tempDir(String name) throws IOException {
        return Files.createTempDirectory("aspen-" + name + "-");
    }

    /** Deletes a directory tree (best effort: an example's leftovers in the temp dir are harmless). */
    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            say("(could not delete %s: %s)", dir, e.getMessage());
        }
    }

    /** A port free for both UDP (QUIC) and TCP (gossip) on loopback. */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
                    ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 1, LOOPBACK)) {
                return tcp.getLocalPort();
            } catch (IOException e) {
                // the TCP twin is taken; try another
            }
        }
        throw new IOException("no port free for both UDP and TCP on loopback after 50 attempts");
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
