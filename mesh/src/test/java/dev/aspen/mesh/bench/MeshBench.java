package dev.aspen.mesh.bench;

import dev.aspen.consensus.RaftGroupConfig;
import dev.aspen.mesh.client.AspenClient;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.node.ReplicaNode;
import dev.aspen.mesh.quic.Frames;
import dev.aspen.mesh.quic.OutboundChannel;
import dev.aspen.mesh.quic.Protocol;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.mesh.quic.QuicEndpoint;
import dev.aspen.mesh.quic.SendStall;
import dev.aspen.mesh.rpc.RpcClient;
import dev.aspen.mesh.rpc.RpcHandler;
import dev.aspen.mesh.rpc.RpcServer;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.TicketPeer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Prints QUIC transport numbers on loopback: one-way channel throughput (Raft-style traffic) and
 * request/response latency at 1 and 64 outstanding requests. Measures; decides nothing.
 */
public final class MeshBench {
    private static final ClusterKey KEY = Cookie.of("bench").clusterKey();

    public static void main(String[] args) throws Exception {
        channelThroughput(200, 200_000);
        channelThroughput(4096, 20_000);
        if (args.length > 0 && args[0].equals("channel")) {
            System.exit(0);
        }
        rpcLatency(1, 20_000);
        rpcLatency(64, 100_000);
        kvThroughput();
        System.exit(0); // Kwik leaves non-daemon threads behind
    }

    private static void channelThroughput(int messageBytes, int count) throws Exception {
        var received = new AtomicLong();
        NodeIdentity receiverId = NodeIdentity.generate();
        Protocol sink = new Protocol("aspen/bench/1", p -> true, (peer, stream) -> {
            byte[] frame;
            while ((frame = Frames.read(stream.getInputStream(), 1 << 20)) != null) {
                if (frame.length > 0) {
                    received.incrementAndGet();
                }
            }
        });
        try (var receiver = QuicEndpoint.start(QuicConfig.builder().build(), receiverId, KEY, List.of(sink));
                var sender = QuicEndpoint.start(QuicConfig.builder().build(), NodeIdentity.generate(), KEY, List.of());
                var channel = new OutboundChannel(
                        sender,
                        receiverId.nodeId(),
                        () -> List.of(receiver.localAddress()),
                        "aspen/bench/1",
                        OutboundChannel.Settings.defaults())) {
            byte[] message = new byte[messageBytes];
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(60);
            for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
                while (!channel.offer(message)) {
                    Thread.onSpinWait();
                }
                while (i - received.get() > 2000 && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // stay under the queue bound so nothing is dropped
                }
            }
            while (received.get() + channel.dropped() < count && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "channel  %5d B messages: %9.0f msg/s  %7.1f MB/s  (%d delivered, %d dropped, %d nudges, %d for stalls,"
                            + " %d stuck sends released in this JVM)%n",
                    messageBytes,
                    received.get() / seconds,
                    received.get() * (double) messageBytes / seconds / 1e6,
                    received.get(),
                    channel.dropped(),
                    channel.nudges(),
                    channel.stallRepairs(),
                    SendStall.releases());
        }
    }

    /** AspenClient against three replicas (durable logs in a temp dir): put and get at 1 and 64 outstanding. */
    private static void kvThroughput() throws Exception {
        Path dir = Files.createTempDirectory("aspen-bench-kv");
        Map<NodeId, InetSocketAddress> addresses = new ConcurrentHashMap<>();
        List<NodeIdentity> identities =
                List.of(NodeIdentity.generate(), NodeIdentity.generate(), NodeIdentity.generate());
        List<NodeId> members = identities.stream().map(NodeIdentity::nodeId).toList();
        List<ReplicaNode> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ReplicaNode node = ReplicaNode.start(new ReplicaNode.Settings(
                    dir.resolve("n" + i),
                    identities.get(i),
                    KEY,
                    "kv",
                    members,
                    id -> Optional.ofNullable(addresses.get(id)).map(List::of).orElse(List.of()),
                    QuicConfig.builder().build(),
                    RaftGroupConfig.defaults()));
            addresses.put(node.nodeId(), node.address());
            nodes.add(node);
        }
        var peers = nodes.stream()
                .map(n -> new TicketPeer(n.nodeId(), List.of(n.address())))
                .toList();
        try (var client = AspenClient.connect(peers, KEY, RpcClient.Settings.defaults())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                try {
                    client.put(new byte[16], new byte[100]).get(5, TimeUnit.SECONDS);
                    break;
                } catch (Exception e) {
                    Thread.sleep(100); // no leader yet
                }
            }
            var random = new java.util.Random(1);
            for (int outstanding : new int[] {1, 64}) {
                measure("kv put ", outstanding, 20_000, () -> client.put(key(random), new byte[100]));
            }
            for (int outstanding : new int[] {1, 64}) {
                measure("kv get ", outstanding, 20_000, () -> client.get(key(random)));
            }
        } finally {
            for (ReplicaNode node : nodes) {
                node.close();
            }
        }
    }

    private static byte[] key(java.util.Random random) {
        return ("key-" + random.nextInt(10_000)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void measure(
            String label, int outstanding, int count, java.util.function.Supplier<CompletableFuture<?>> op)
            throws InterruptedException {
        var histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        var window = new Semaphore(outstanding);
        var failures = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(60);
        int issued = 0;
        for (; issued < count && System.nanoTime() < deadline; issued++) {
            window.acquire();
            long t0 = System.nanoTime();
            op.get().whenComplete((r, e) -> {
                if (e != null) {
                    failures.incrementAndGet();
                }
                synchronized (histogram) {
                    histogram.recordValue(System.nanoTime() - t0);
                }
                window.release();
            });
        }
        window.acquire(outstanding);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "%s %3d outstanding: %8.0f ops/s  p50 %6.3f ms  p99 %6.3f ms  max %7.3f ms  (%d failed)%n",
                label,
                outstanding,
                issued / seconds,
                histogram.getValueAtPercentile(50) / 1e6,
                histogram.getValueAtPercentile(99) / 1e6,
                histogram.getMaxValue() / 1e6,
                failures.get());
        window.release(outstanding);
    }

    private static void rpcLatency(int outstanding, int count) throws Exception {
        RpcHandler echo = new RpcHandler() {
            @Override
            public CompletableFuture<byte[]> call(NodeId peer, byte[] request) {
                return CompletableFuture.completedFuture(request);
            }

            @Override
            public AutoCloseable watch(NodeId peer, byte[] request, EventSink sink) {
                sink.end("no watches here");
                return () -> {};
            }
        };
        NodeIdentity serverId = NodeIdentity.generate();
        var timers = Executors.newSingleThreadScheduledExecutor();
        try (var server = QuicEndpoint.start(
                        QuicConfig.builder().build(),
                        serverId,
                        KEY,
                        List.of(new Protocol(Protocol.CLIENT_ALPN, p -> true, new RpcServer(echo, 1 << 20, 1024))));
                var dialer = QuicEndpoint.start(QuicConfig.builder().build(), NodeIdentity.generate(), KEY, List.of());
                var client = new RpcClient(
                        dialer.connect(serverId.nodeId(), server.localAddress(), Protocol.CLIENT_ALPN),
                        RpcClient.Settings.defaults(),
                        timers)) {
            byte[] request = new byte[200];
            measure("rpc warm-up", outstanding, count / 10, () -> client.call(request));
            measure("rpc 200 B", outstanding, count, () -> client.call(request));
            System.out.printf(
                    "rpc        %3d outstanding: %d stall repairs, %d watchdog nudges%n",
                    outstanding, client.stallRepairs(), client.nudges());
        } finally {
            timers.shutdownNow();
        }
    }
}
