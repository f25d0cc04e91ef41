package dev.aspen.consensus.bench;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroup;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.consensus.RaftTransport;
import dev.aspen.consensus.ReplicatedStateMachine;
import dev.aspen.consensus.Result;
import dev.aspen.consensus.codec.RaftCodec;
import dev.aspen.consensus.sim.SimCluster;
import dev.aspen.consensus.store.DurableRaftStore;
import dev.aspen.consensus.store.StoreOptions;
import dev.aspen.consensus.store.StoreStats;
import io.microraft.model.message.RaftMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Replicate throughput and latency of an in-process 3-node group on real Raft threads. Prints
 * ops/s and p50/p99 at 1, 16 and 128 commands in flight. Not a test; never fails on time.
 *
 * <p>Two modes: by default an in-memory transport (no serialization) and no store, the cost of the
 * Raft layer itself; with a directory as third argument, every message takes the Kryo round trip
 * ({@link RaftCodec} encode + decode) and every node logs to a {@link DurableRaftStore} there,
 * which also prints fsyncs per second and bytes per entry on disk.
 *
 * <p>Arguments: {@code [seconds per level, default 3] [value bytes, default 100] [store dir]}.
 */
public final class ReplicateBench {
    private static final int MAX_SAMPLES = 4_000_000;

    private ReplicateBench() {}

    /** Counts applied commands; no other state. */
    private static final class CountingStateMachine implements ReplicatedStateMachine {
        private volatile long applied;

        @Override
        public Object apply(long index, byte[] command) {
            applied = index;
            return null;
        }

        @Override
        public Object query(byte[] query) {
            return applied;
        }

        @Override
        public void takeSnapshot(long index, int maxChunkBytes, Consumer<byte[]> chunks) {
            chunks.accept(new byte[8]);
        }

        @Override
        public void installSnapshot(long index, List<byte[]> chunks) {
            applied = index;
        }

        @Override
        public long appliedIndex() {
            return applied;
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int valueBytes = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        Path storeDir = args.length > 2 ? Path.of(args[2]) : null;
        RaftCodec codec = new RaftCodec();
        Map<NodeEndpoint, DurableRaftStore> stores = new ConcurrentHashMap<>();
        Map<NodeEndpoint, RaftGroup> groups = new ConcurrentHashMap<>();
        AtomicReference<RaftGroup> leader = new AtomicReference<>();
        List<NodeEndpoint> members = List.of(SimCluster.endpoint(0), SimCluster.endpoint(1), SimCluster.endpoint(2));
        RaftTransport transport = new RaftTransport() {
            @Override
            public void send(NodeEndpoint target, RaftMessage message) {
                RaftGroup group = groups.get(target);
                if (group != null) {
                    group.handle(storeDir == null ? message : (RaftMessage) codec.decode(codec.encode(message)));
                }
            }

            @Override
            public boolean isReachable(NodeEndpoint endpoint) {
                return groups.containsKey(endpoint);
            }
        };
        for (NodeEndpoint member : members) {
            RaftGroup.Builder builder = RaftGroup.builder("bench", member);
            if (storeDir != null) {
                Path dir = storeDir.resolve("node-" + members.indexOf(member));
                deleteRecursively(dir);
                DurableRaftStore store = DurableRaftStore.open(dir, codec, StoreOptions.defaults());
                stores.put(member, store);
                builder.store(store);
            }
            groups.put(
                    member,
                    builder.stateMachine(new CountingStateMachine())
                            .transport(transport)
                            .reportListener(r -> {
                                if (r.role() == RaftGroupReport.Role.LEADER) {
                                    leader.set(groups.get(r.localEndpoint()));
                                }
                            })
                            .startNew(members));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (leader.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (leader.get() == null) {
            throw new IllegalStateException("no leader within 30 s");
        }
        System.out.printf(
                "in-process 3-node group, %s, %d B values%n",
                storeDir == null
                        ? "in-memory transport, no store"
                        : "Kryo round trip per message, durable store (fsync) in " + storeDir,
                valueBytes);
        run(leader.get(), 16, 1, valueBytes, false);
        for (int inFlight : new int[] {1, 16, 128}) {
            Map<NodeEndpoint, StoreStats> before = new HashMap<>();
            stores.forEach((member, store) -> before.put(member, store.stats()));
            long start = System.nanoTime();
            run(leader.get(), inFlight, seconds, valueBytes, true);
            double elapsed = (System.nanoTime() - start) / 1e9;
            stores.forEach((member, store) -> {
                StoreStats now = store.stats();
                StoreStats then = before.get(member);
                long entries = now.entriesAppended() - then.entriesAppended();
                System.out.printf(
                        "    %s: %6.0f fsyncs/s, %5.1f entries/fsync, %5.1f bytes/entry on disk%n",
                        member.nodeId().toString().substring(0, 8),
                        (now.fsyncs() - then.fsyncs()) / elapsed,
                        entries / (double) Math.max(1, now.fsyncs() - then.fsyncs()),
                        (now.bytesAppended() - then.bytesAppended()) / (double) Math.max(1, entries));
            });
        }
        for (RaftGroup group : groups.values()) {
            group.terminate();
        }
        for (RaftGroup group : groups.values()) {
            group.terminated().get(5, TimeUnit.SECONDS);
        }
        for (DurableRaftStore store : stores.values()) {
            store.close();
        }
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static void run(RaftGroup leader, int inFlight, int seconds, int valueBytes, boolean print)
            throws InterruptedException {
        byte[] value = new byte[valueBytes];
        Semaphore permits = new Semaphore(inFlight);
        long[] latencies = new long[MAX_SAMPLES];
        AtomicInteger samples = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            permits.acquire();
            long sent = System.nanoTime();
            CompletableFuture<Result> f = leader.replicate(value);
            f.whenComplete((r, e) -> {
                if (e != null) {
                    failures.incrementAndGet();
                } else {
                    int i = samples.getAndIncrement();
                    if (i < MAX_SAMPLES) {
                        latencies[i] = System.nanoTime() - sent;
                    }
                }
                permits.release();
            });
        }
        permits.acquire(inFlight);
        long elapsed = System.nanoTime() - start;
        int n = Math.min(samples.get(), MAX_SAMPLES);
        if (!print) {
            return;
        }
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        System.out.printf(
                "in flight %3d: %9.0f ops/s  p50 %7.1f us  p99 %7.1f us  (%d ops, %d failed)%n",
                inFlight,
                samples.get() * 1e9 / elapsed,
                percentile(sorted, 0.50) / 1e3,
                percentile(sorted, 0.99) / 1e3,
                samples.get(),
                failures.get());
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }
}
