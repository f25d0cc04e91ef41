package dev.aspen.consensus.bench;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroup;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.consensus.RaftTransport;
import dev.aspen.consensus.ReplicatedStateMachine;
import dev.aspen.consensus.Result;
import dev.aspen.consensus.sim.SimCluster;
import io.microraft.model.message.RaftMessage;
import java.util.Arrays;
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
 * Replicate throughput and latency of an in-process 3-node group on real Raft threads, with an
 * in-memory transport (no serialization) and no store: the cost of the Raft layer itself. Prints
 * ops/s and p50/p99 at 1, 16 and 128 commands in flight. Not a test; never fails on time.
 *
 * <p>Arguments: {@code [seconds per level, default 3] [value bytes, default 100]}.
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
        Map<NodeEndpoint, RaftGroup> groups = new ConcurrentHashMap<>();
        AtomicReference<RaftGroup> leader = new AtomicReference<>();
        List<NodeEndpoint> members = List.of(SimCluster.endpoint(0), SimCluster.endpoint(1), SimCluster.endpoint(2));
        RaftTransport transport = new RaftTransport() {
            @Override
            public void send(NodeEndpoint target, RaftMessage message) {
                RaftGroup group = groups.get(target);
                if (group != null) {
                    group.handle(message);
                }
            }

            @Override
            public boolean isReachable(NodeEndpoint endpoint) {
                return groups.containsKey(endpoint);
            }
        };
        for (NodeEndpoint member : members) {
            groups.put(
                    member,
                    RaftGroup.builder("bench", member)
                            .stateMachine(new CountingStateMachine())
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
        System.out.printf("in-process 3-node group, in-memory transport, no store, %d B values%n", valueBytes);
        run(leader.get(), 16, 1, valueBytes, false);
        for (int inFlight : new int[] {1, 16, 128}) {
            run(leader.get(), inFlight, seconds, valueBytes, true);
        }
        for (RaftGroup group : groups.values()) {
            group.terminate();
        }
        for (RaftGroup group : groups.values()) {
            group.terminated().get(5, TimeUnit.SECONDS);
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
