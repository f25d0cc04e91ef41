package dev.aspen.consensus.sim;

import dev.aspen.consensus.GroupMembers;
import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroupConfig;
import dev.aspen.consensus.RaftGroupReport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * One randomized run: 3 or 5 voters, a lossy, duplicating, reordering network, a client workload,
 * and for 30 virtual seconds random crashes (of at most a minority, at arbitrary points),
 * restarts, partitions and heals; one seed in three also churns membership (joiners added as
 * learners, promoted, voters removed and retired). Then everything heals and restarts, and the run must make
 * progress, converge and keep every invariant. Returns the failures (empty when the run is good).
 */
public final class FaultScenario {
    private static final long FAULT_PHASE_MILLIS = 30_000;
    private static final int[] SNAPSHOT_INTERVALS = {25, 100, 10_000};

    private final SimCluster cluster;
    private final Random random;
    private final int voters;
    private final boolean membershipChurn;
    private final List<String> failures = new ArrayList<>();
    private boolean membershipChangeInFlight;
    private int joiners;

    private FaultScenario(long seed) {
        Random setup = new Random(seed);
        this.voters = setup.nextBoolean() ? 3 : 5;
        this.membershipChurn = setup.nextInt(3) == 0;
        RaftGroupConfig config = RaftGroupConfig.builder()
                .commitCountToTakeSnapshot(SNAPSHOT_INTERVALS[setup.nextInt(SNAPSHOT_INTERVALS.length)])
                .maxPendingLogEntries(200)
                .snapshotChunkBytes(1024)
                .build();
        this.cluster = SimCluster.create(seed, voters, config);
        this.random = cluster.random();
        cluster.network().configure(1, 2 + random.nextInt(30), random.nextDouble() * 0.05, random.nextDouble() * 0.05);
    }

    /** Runs the scenario of {@code seed}. */
    public static FaultScenario run(long seed) {
        FaultScenario scenario = new FaultScenario(seed);
        try {
            scenario.execute();
        } catch (RuntimeException | AssertionError e) {
            scenario.failures.add("exception: " + e);
        }
        return scenario;
    }

    /** The failures of the run, each prefixed with the seed and how to replay it. */
    public List<String> failures() {
        return failures.stream().map(f -> cluster.replayHint() + ": " + f).toList();
    }

    /** The cluster (for inspection after the run). */
    public SimCluster cluster() {
        return cluster;
    }

    private void execute() {
        cluster.startAll();
        Workload workload = new Workload(cluster, 250, 10, 80);
        workload.start();
        scheduleFault();
        cluster.scheduler().runUntil(FAULT_PHASE_MILLIS * 1_000_000);
        workload.stop();
        cluster.network().heal();
        cluster.network().configure(1, 5, 0, 0);
        for (SimCluster.Node node : cluster.nodes()) {
            if (!node.isUp() && !node.isRetired()) {
                cluster.restart(node.endpoint());
            }
        }
        Optional<SimCluster.Acked> barrier = cluster.replicateWithRetry(30_000);
        if (barrier.isEmpty()) {
            failures.add("no progress after healing");
        } else if (!cluster.awaitConverged(30_000)) {
            failures.add("members did not converge after healing");
        }
        check(workload.acked());
        failures.addAll(cluster.history().violations());
    }

    private void scheduleFault() {
        long delay = 500 + random.nextInt(2500);
        cluster.scheduler().after(delay * 1_000_000, () -> {
            if (cluster.scheduler().nowMillis() < FAULT_PHASE_MILLIS) {
                injectFault();
                scheduleFault();
            }
        });
    }

    private void injectFault() {
        List<SimCluster.Node> nodes = new ArrayList<>(cluster.nodes());
        List<SimCluster.Node> down =
                nodes.stream().filter(n -> !n.isUp() && !n.isRetired()).toList();
        List<SimCluster.Node> up = nodes.stream().filter(SimCluster.Node::isUp).toList();
        if (membershipChurn && random.nextInt(3) == 0) {
            changeMembership();
            return;
        }
        switch (random.nextInt(6)) {
            case 0, 1 -> {
                if (down.size() < (voters - 1) / 2 && !up.isEmpty()) {
                    cluster.crash(up.get(random.nextInt(up.size())).endpoint());
                }
            }
            case 2 -> {
                if (!down.isEmpty()) {
                    cluster.restart(down.get(random.nextInt(down.size())).endpoint());
                }
            }
            case 3 -> partitionRandomly(nodes);
            case 4 -> cluster.network().heal();
            default -> cluster.leader().ifPresent(l -> cluster.network().partition(new NodeEndpoint[] {l}));
        }
    }

    /** Adds a joiner as learner, promotes a learner, or removes a voter (never below the start). */
    private void changeMembership() {
        Optional<NodeEndpoint> leaderEndpoint = cluster.leader();
        if (membershipChangeInFlight || leaderEndpoint.isEmpty()) {
            return;
        }
        SimCluster.Node leader = cluster.node(leaderEndpoint.get());
        Optional<GroupMembers> members = leader.lastReport().map(RaftGroupReport::committedMembers);
        if (members.isEmpty()) {
            return;
        }
        List<NodeEndpoint> learners = members.get().learners();
        List<NodeEndpoint> removable = members.get().votingMembers().stream()
                .filter(e -> !e.equals(leaderEndpoint.get()))
                .toList();
        CompletableFuture<GroupMembers> change;
        NodeEndpoint target;
        if (!learners.isEmpty()) {
            target = learners.get(0);
            change = leader.group().promote(target);
        } else if (members.get().votingMembers().size() > voters && random.nextBoolean()) {
            target = removable.get(random.nextInt(removable.size()));
            change = leader.group().remove(target);
        } else if (joiners < 3) {
            joiners++;
            target = cluster.startJoiner();
            change = leader.group().addLearner(target);
        } else {
            return;
        }
        membershipChangeInFlight = true;
        change.whenComplete((committed, failure) -> {
            membershipChangeInFlight = false;
            if (failure == null && !committed.members().contains(target)) {
                cluster.retire(target);
            }
        });
    }

    private void partitionRandomly(List<SimCluster.Node> nodes) {
        List<NodeEndpoint> shuffled =
                new ArrayList<>(nodes.stream().map(SimCluster.Node::endpoint).toList());
        Collections.shuffle(shuffled, random);
        int minority = 1 + random.nextInt(voters / 2);
        cluster.network().partition(shuffled.subList(0, minority).toArray(NodeEndpoint[]::new));
    }

    private void check(Map<Long, Long> acked) {
        Map<Long, Long> committed = cluster.history().commands();
        acked.forEach((id, index) -> {
            if (!id.equals(committed.get(index))) {
                failures.add("acknowledged command " + id + " at index " + index + " but the log holds "
                        + committed.get(index));
            }
        });
        Optional<NodeEndpoint> leader = cluster.leader();
        List<NodeEndpoint> members = leader.flatMap(cluster::report)
                .map(r -> r.committedMembers().members())
                .orElse(List.of());
        SimCluster.Node reference = null;
        for (SimCluster.Node node : cluster.upNodes()) {
            if (!members.contains(node.endpoint())) {
                continue;
            }
            for (Long id : acked.keySet()) {
                if (!node.stateMachine().contains(id)) {
                    failures.add("acknowledged command " + id + " missing on " + node.endpoint());
                    return;
                }
            }
            if (reference != null
                    && !reference
                            .stateMachine()
                            .entries()
                            .equals(node.stateMachine().entries())) {
                failures.add("state of " + node.endpoint() + " differs from " + reference.endpoint());
            }
            reference = node;
        }
    }
}
