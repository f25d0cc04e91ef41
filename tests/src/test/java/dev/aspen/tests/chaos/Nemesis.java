package dev.aspen.tests.chaos;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Injects process-level faults into a {@link NodeCluster}, one at a time, each healed before the
 * next: the cluster is back to every node healthy when {@link #inject} returns.
 */
final class Nemesis {
    /** The faults. Pauses last longer than the 2 s election timeout, so the others elect a new leader. */
    enum Fault {
        /** {@code kill -9} of a random node, restarted 1–3 s later. */
        KILL_RANDOM,
        /** {@code kill -9} of the leader, restarted 1–3 s later. */
        KILL_LEADER,
        /** {@code SIGSTOP} of a random node for 3–5 s, then {@code SIGCONT}. */
        PAUSE_RANDOM,
        /** {@code SIGSTOP} of the leader for 3–5 s, then {@code SIGCONT}: it wakes up deposed. */
        PAUSE_LEADER,
        /** {@code kill -9} of every node at once, all restarted 1 s later. */
        CRASH_ALL,
        /**
         * A voter other than the leader is removed ({@code DELETE /v1/cluster/members/ID}) while
         * another node is killed (and restarted 1–3 s later); then the removed node's data is wiped
         * and it joins again as a fresh node with the ticket, until it is a voter again.
         */
        MEMBERSHIP,
        /** The leader's QUIC links to every other node cut both ways for 3–5 s, then healed. */
        PARTITION_LEADER,
        /** A random minority cut from the majority, both ways, for 3–5 s, then healed. */
        PARTITION_HALVES,
        /** The others split in two sides that cannot talk; one node talks to both; 3–5 s, then healed. */
        BRIDGE;

        /** Whether it needs the nodes' fault-injection route ({@code --fault-injection}). */
        boolean needsFaultInjection() {
            return this == PARTITION_LEADER || this == PARTITION_HALVES || this == BRIDGE;
        }
    }

    /** When a fault was in place: from its injection until every node was healthy again (ns of the run). */
    record Window(long from, long to) {
        boolean overlaps(long start, long end) {
            return from <= end && to >= start;
        }
    }

    private final NodeCluster cluster;
    private final Random random;
    private final History history;
    private final List<String> log = new ArrayList<>();
    private final List<Window> windows = new ArrayList<>();

    Nemesis(NodeCluster cluster, Random random, History history) {
        this.cluster = cluster;
        this.random = random;
        this.history = history;
    }

    /** One line per fault: when (ms since the run started), what, and on which node. */
    List<String> log() {
        return List.copyOf(log);
    }

    /** The windows of the faults injected so far. */
    List<Window> windows() {
        return List.copyOf(windows);
    }

    /**
     * The bounded CI run's faults: the membership change (which kills a node meanwhile), the leader
     * killed, the leader paused, and a minority partitioned. The whole-cluster crash, the random kill
     * and pause, the isolated leader and the bridge cost ~80 s more on a loaded 2-core machine and
     * run in {@code --long} mode.
     */
    static final Set<Fault> CI =
            Set.of(Fault.MEMBERSHIP, Fault.KILL_LEADER, Fault.PAUSE_LEADER, Fault.PARTITION_HALVES);

    /** The faults this cluster supports: partitions only when its nodes have fault injection on. */
    static List<Fault> supported(NodeCluster cluster) {
        return java.util.Arrays.stream(Fault.values())
                .filter(f -> !f.needsFaultInjection() || cluster.faultInjection())
                .toList();
    }

    void inject(Fault fault) throws IOException, InterruptedException {
        long from = history.now();
        try {
            apply(fault);
            cluster.awaitAllHealthy();
        } finally {
            windows.add(new Window(from, history.now()));
        }
    }

    private void apply(Fault fault) throws IOException, InterruptedException {
        switch (fault) {
            case KILL_RANDOM, KILL_LEADER -> {
                int node = target(fault == Fault.KILL_LEADER);
                note(fault, "node " + node);
                cluster.kill(node);
                hold(Duration.ofMillis(1000 + random.nextInt(2000)));
                cluster.restart(node);
            }
            case PAUSE_RANDOM, PAUSE_LEADER -> {
                int node = target(fault == Fault.PAUSE_LEADER);
                note(fault, "node " + node);
                cluster.pause(node);
                hold(Duration.ofMillis(3000 + random.nextInt(2000)));
                cluster.resume(node);
            }
            case CRASH_ALL -> {
                note(fault, "every node");
                for (int i = 0; i < cluster.size(); i++) {
                    cluster.kill(i);
                }
                hold(Duration.ofSeconds(1));
                for (int i = 0; i < cluster.size(); i++) {
                    cluster.restart(i);
                }
            }
            case MEMBERSHIP -> membership();
            case PARTITION_LEADER -> {
                int leader = target(true);
                note(fault, "node " + leader + " cut from all");
                partition(Set.of(leader), others(Set.of(leader)));
            }
            case PARTITION_HALVES -> {
                List<Integer> nodes = shuffled();
                var minority = Set.copyOf(nodes.subList(0, 1 + random.nextInt((cluster.size() - 1) / 2)));
                note(fault, "nodes " + minority + " cut from " + others(minority));
                partition(minority, others(minority));
            }
            case BRIDGE -> {
                List<Integer> nodes = shuffled();
                int bridge = nodes.get(0);
                int half = (nodes.size() - 1) / 2;
                var left = Set.copyOf(nodes.subList(1, 1 + half));
                var right = Set.copyOf(nodes.subList(1 + half, nodes.size()));
                note(fault, "nodes " + left + " cut from " + right + ", node " + bridge + " sees both");
                partition(left, right);
            }
        }
    }

    /** Cuts every link between {@code a} and {@code b} both ways for 3–5 s (past the election timeout), then heals all. */
    private void partition(Set<Integer> a, Set<Integer> b) throws IOException, InterruptedException {
        try {
            for (int i : a) {
                cluster.block(i, b, false);
            }
            for (int j : b) {
                cluster.block(j, a, false);
            }
            hold(Duration.ofMillis(3000 + random.nextInt(2000)));
        } finally {
            for (int i = 0; i < cluster.size(); i++) {
                cluster.healLinks(i);
            }
        }
    }

    private List<Integer> shuffled() {
        var nodes = new ArrayList<Integer>();
        for (int i = 0; i < cluster.size(); i++) {
            nodes.add(i);
        }
        java.util.Collections.shuffle(nodes, random);
        return nodes;
    }

    private Set<Integer> others(Set<Integer> these) {
        var rest = new java.util.TreeSet<Integer>();
        for (int i = 0; i < cluster.size(); i++) {
            if (!these.contains(i)) {
                rest.add(i);
            }
        }
        return rest;
    }

    /**
     * Removes a voter other than the leader while another node is killed, waits until the removal is
     * committed (re-sending it, and moving leadership off the removed node, as an operator would),
     * then replaces it with a fresh node joining by ticket and waits until that one is a voter.
     */
    private void membership() throws IOException, InterruptedException {
        int leader = target(true);
        List<Integer> candidates = new ArrayList<>(others(Set.of(leader)));
        int victim = candidates.get(random.nextInt(candidates.size()));
        List<Integer> killable = new ArrayList<>(others(Set.of(victim)));
        int killed = killable.get(random.nextInt(killable.size()));
        int via = others(Set.of(victim, killed)).iterator().next();
        String victimId = cluster.nodeId(victim);
        note(Fault.MEMBERSHIP, "remove node " + victim + " (via " + via + "), kill node " + killed + " meanwhile");
        var removal = CompletableFuture.supplyAsync(() -> {
            try {
                return cluster.admin(via, "DELETE", "/v1/cluster/members/" + victimId, null)
                        .toString();
            } catch (IOException e) {
                return e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return e.toString();
            }
        });
        hold(Duration.ofMillis(random.nextInt(300)));
        cluster.kill(killed);
        hold(Duration.ofMillis(1000 + random.nextInt(2000)));
        cluster.restart(killed);
        String first;
        try {
            first = removal.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            first = e.toString();
        }
        detail("removal answered " + first.replace('\n', ' '));
        await("node " + victim + " removed")
                .atMost(NodeCluster.START_LIMIT)
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> removedOrRetried(via, victim, victimId));
        cluster.replaceWithFreshNode(victim, cluster.ticket(via));
        detail("node " + victim + " rejoined fresh as " + cluster.nodeId(victim) + " at " + history.now() / 1_000_000
                + " ms");
        await("fresh node " + victim + " a voter")
                .atMost(NodeCluster.START_LIMIT)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> promotedOrRetried(via, victim));
    }

    /** Whether {@code victim} is no longer a member; if it still is, asks again (or moves leadership off it). */
    private boolean removedOrRetried(int via, int victim, String victimId) throws IOException, InterruptedException {
        if (!cluster.healthy(via) || cluster.role(via, victim).isEmpty()) {
            return cluster.healthy(via);
        }
        var leader = cluster.leader();
        if (leader.isPresent() && leader.getAsInt() == victim) {
            cluster.admin(via, "POST", "/v1/cluster/leader", "{}");
        } else {
            cluster.admin(via, "DELETE", "/v1/cluster/members/" + victimId, null);
        }
        return false;
    }

    /** Whether node {@code i} is a voter; a caught-up learner is promoted (autopilot may do it first). */
    private boolean promotedOrRetried(int via, int i) throws IOException, InterruptedException {
        String role = cluster.role(via, i);
        if (role.equals("learner")) {
            cluster.admin(via, "POST", "/v1/cluster/voters", "{\"node_id\":\"" + cluster.nodeId(i) + "\"}");
        }
        return role.equals("voter");
    }

    /** The leader (when asked for and known), else a random node. */
    private int target(boolean leader) {
        if (leader) {
            var known = cluster.leader();
            if (known.isPresent()) {
                return known.getAsInt();
            }
        }
        return random.nextInt(cluster.size());
    }

    private void note(Fault fault, String target) {
        log.add(String.format("%8d ms  %-12s %s", history.now() / 1_000_000, fault, target));
    }

    /** Adds to the line of the current fault. */
    private void detail(String text) {
        log.set(log.size() - 1, log.get(log.size() - 1) + "; " + text);
    }

    /**
     * Keeps a fault in place: its length is the point of the fault, not a wait for a condition, so
     * this is a plain timed sleep.
     */
    static void hold(Duration duration) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(duration.toMillis());
    }
}
