package dev.aspen.discovery.bench;

import dev.aspen.discovery.Discovery;
import dev.aspen.discovery.DiscoveryStats;
import dev.aspen.discovery.PeerEvent;
import dev.aspen.discovery.testing.InProcessCluster;
import dev.aspen.discovery.testing.KeyFiles;
import dev.aspen.discovery.testing.NodeProcess;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Discovery timings on loopback with the LAN profile, for 3, 5 and 9 nodes (or the sizes given as
 * arguments). Members run in-process. A join: with n-1 members up, an in-process node starts with
 * the first member as seed; timed from start() until every member lists it and it lists every
 * member (then it leaves again). A kill: a member in a child JVM is killed with SIGKILL; timed
 * until every in-process member reports it LEFT. Gossip bytes per second per node: mean of the
 * codec counters of n converged in-process members over a 5 s quiet window.
 */
public final class DiscoveryBench {
    private static final int ROUNDS = 3;
    private static final long TIMEOUT_NANOS = 60_000_000_000L;
    private static final long QUIET_WINDOW_MILLIS = 5000;
    private static final String COOKIE = "discovery bench";

    private DiscoveryBench() {}

    private record Member(Discovery discovery, Map<NodeId, Long> joined, Map<NodeId, Long> left) {
        NodeId id() {
            return discovery.localRecord().nodeId();
        }
    }

    public static void main(String[] args) throws Exception {
        int[] sizes = args.length == 0
                ? new int[] {3, 5, 9}
                : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        System.out.println("LAN profile, loopback; in-process members; each kill is a child-JVM member (SIGKILL)");
        System.out.printf(
                "%5s %12s %12s %12s %12s %15s %15s%n",
                "nodes", "join p50 ms", "join max ms", "kill p50 ms", "kill max ms", "gossip B/s out", "gossip B/s in");
        for (int n : sizes) {
            run(n);
        }
        System.exit(0);
    }

    private static void run(int n) throws Exception {
        try (var cluster = new InProcessCluster()) {
            List<Member> members = new ArrayList<>();
            for (int i = 0; i < n - 1; i++) {
                members.add(startMember(cluster, members));
            }
            waitFor(() -> converged(members), "initial convergence");
            double[] joins = new double[ROUNDS];
            double[] kills = new double[ROUNDS];
            Path dir = Files.createTempDirectory("discovery-bench");
            for (int round = 0; round < ROUNDS; round++) {
                joins[round] = timeJoin(cluster, members);
                kills[round] = timeKill(members, dir.resolve("victim-" + round + ".key"));
            }
            members.add(startMember(cluster, members));
            waitFor(() -> converged(members), "convergence before the byte window");
            double[] rates = gossipRates(members);
            System.out.printf(
                    "%5d %12.0f %12.0f %12.0f %12.0f %15.0f %15.0f%n",
                    n, median(joins), max(joins), median(kills), max(kills), rates[0], rates[1]);
        }
    }

    private static Member startMember(InProcessCluster cluster, List<Member> members) {
        var builder = InProcessCluster.builder(COOKIE);
        if (!members.isEmpty()) {
            builder.seeds(List.of(members.get(0).discovery().localRecord().gossipAddress()));
        }
        Map<NodeId, Long> joined = new ConcurrentHashMap<>();
        Map<NodeId, Long> left = new ConcurrentHashMap<>();
        Discovery discovery = cluster.start(builder, event -> {
            NodeId peer = event.record().nodeId();
            if (event.type() == PeerEvent.Type.JOINED) {
                joined.put(peer, System.nanoTime());
            } else if (event.type() == PeerEvent.Type.LEFT) {
                left.put(peer, System.nanoTime());
            }
        });
        return new Member(discovery, joined, left);
    }

    private static boolean converged(List<Member> members) {
        return members.stream().allMatch(m -> m.discovery().directory().size() == members.size() - 1);
    }

    private static double timeJoin(InProcessCluster cluster, List<Member> members) {
        long start = System.nanoTime();
        Member joiner = startMember(cluster, members);
        NodeId id = joiner.id();
        waitFor(
                () -> members.stream().allMatch(m -> m.joined().containsKey(id))
                        && members.stream().allMatch(m -> joiner.joined().containsKey(m.id())),
                "join");
        long last = members.stream().mapToLong(m -> m.joined().get(id)).max().orElseThrow();
        for (Member m : members) {
            last = Math.max(last, joiner.joined().get(m.id()));
        }
        cluster.stop(joiner.discovery());
        waitFor(
                () -> members.stream()
                        .allMatch(m -> m.discovery().directory().lookup(id).isEmpty()),
                "leave");
        return (last - start) / 1e6;
    }

    private static double timeKill(List<Member> members, Path keyFile) {
        var keys = KeyFiles.generate();
        KeyFiles.write(keys, keyFile);
        NodeId id = NodeId.of(keys.getPublic());
        String seed =
                SocketAddresses.format(members.get(0).discovery().localRecord().gossipAddress());
        try (var victim =
                NodeProcess.start(List.of("--cookie", COOKIE, "--key", keyFile.toString(), "--peers", seed))) {
            waitFor(
                    () -> members.stream()
                            .allMatch(m -> m.discovery().directory().lookup(id).isPresent()),
                    "victim join");
            long start = System.nanoTime();
            victim.kill();
            waitFor(() -> members.stream().allMatch(m -> m.left().containsKey(id)), "kill detection");
            long last = members.stream().mapToLong(m -> m.left().get(id)).max().orElseThrow();
            return (last - start) / 1e6;
        }
    }

    private static double[] gossipRates(List<Member> members) throws InterruptedException {
        List<DiscoveryStats> before =
                members.stream().map(m -> m.discovery().stats()).toList();
        long start = System.nanoTime();
        Thread.sleep(QUIET_WINDOW_MILLIS);
        double seconds = (System.nanoTime() - start) / 1e9;
        double out = 0;
        double in = 0;
        for (int i = 0; i < members.size(); i++) {
            DiscoveryStats after = members.get(i).discovery().stats();
            out += after.gossipBytesSent() - before.get(i).gossipBytesSent();
            in += after.gossipBytesReceived() - before.get(i).gossipBytesReceived();
        }
        return new double[] {out / seconds / members.size(), in / seconds / members.size()};
    }

    private static void waitFor(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(0);
    }
}
