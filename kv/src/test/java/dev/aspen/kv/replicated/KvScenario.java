package dev.aspen.kv.replicated;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroupConfig;
import dev.aspen.consensus.sim.SimCluster;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValue;
import dev.aspen.kv.KvStateMachine;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.ScanResponse;
import dev.aspen.kv.check.LinearizabilityChecker;
import dev.aspen.kv.replicated.KvHistory.ReadKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * One seeded run of the key/value store on the consensus simulator: 3 voters, each running a
 * {@link KvStateMachine} in its own directory; {@value #CLIENTS} clients doing puts, gets at every
 * consistency, txn compare-and-sets, deletes, leases; a prefix watch on node 0; for {@value
 * #FAULT_PHASE_MILLIS} virtual ms a lossy, reordering, duplicating network plus random crashes (of
 * nodes 1 and 2, crash or clean restart), restarts, partitions (any node) and heals. Then it heals,
 * restarts every node, converges, reads every key, and checks: the linearizable history of every
 * key, identical state on every node, and the watch (ordered, gap-free, equal to the final state).
 * Lease and stale reads are checked separately and only reported.
 */
final class KvScenario {
    static final int CLIENTS = 3;
    static final int KEYS = 5;
    static final long FAULT_PHASE_MILLIS = 15_000;
    private static final long CHECK_STEPS = 5_000_000;

    /**
     * Set to {@code false} to run without Raft snapshots; by default every run snapshots every 50 or
     * 500 entries, so restarts and lagging nodes go through {@code takeSnapshot} and {@code
     * installSnapshot}. (With them on, this sweep found two snapshot bugs in {@code KvStateMachine},
     * now fixed and pinned by {@code SnapshotRestartTest}.)
     */
    static final String SNAPSHOTS_PROPERTY = "aspen.kv.sim.snapshots";

    private static final int NO_SNAPSHOTS = 1_000_000;

    /** What a run found. {@code failures} is empty for a good run; {@code report} is informational. */
    record Outcome(
            long seed,
            List<String> failures,
            String report,
            String fingerprint,
            int acknowledgedWrites,
            boolean staleReadsLinearizable) {}

    private final SimCluster cluster;
    private final Random random;
    private final KvSimNodes nodes;
    private final KvHistory history = new KvHistory();
    private final List<KvClient> clients = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private RevisionWatch watch;
    private boolean staleReadsLinearizable = true;

    private KvScenario(long seed, Path dir, boolean snapshots) {
        Random setup = new Random(seed);
        RaftGroupConfig config = RaftGroupConfig.builder()
                .commitCountToTakeSnapshot(snapshots ? (setup.nextBoolean() ? 50 : 500) : NO_SNAPSHOTS)
                .maxPendingLogEntries(200)
                .snapshotChunkBytes(1024)
                .build();
        this.nodes = new KvSimNodes(dir, new Random(setup.nextLong()), 0.5);
        this.cluster = SimCluster.create(seed, 3, config, nodes);
        this.random = cluster.random();
        cluster.network().configure(1, 2 + random.nextInt(20), random.nextDouble() * 0.05, random.nextDouble() * 0.05);
    }

    /** Runs the scenario of {@code seed} with node directories under {@code dir}. */
    static Outcome run(long seed, Path dir) {
        return run(seed, dir, !"false".equals(System.getProperty(SNAPSHOTS_PROPERTY)));
    }

    /** Runs the scenario of {@code seed}, with or without Raft snapshots. */
    static Outcome run(long seed, Path dir, boolean snapshots) {
        KvScenario scenario = new KvScenario(seed, dir, snapshots);
        try {
            scenario.execute();
        } catch (RuntimeException | AssertionError e) {
            scenario.failures.add("exception: " + e);
        } finally {
            scenario.nodes.closeAll();
        }
        String prefix = "seed=" + seed
                + " (replay: mvn -B -pl kv -am test -Dtest=ReplicatedKvSweepTest -Dsurefire.failIfNoSpecifiedTests=false -D"
                + SimCluster.SEED_PROPERTY + "=" + seed + "): ";
        return new Outcome(
                seed,
                scenario.failures.stream().map(f -> prefix + f).toList(),
                "seed=" + seed + ": " + String.join("; ", scenario.notes),
                scenario.history.fingerprint() + "|" + scenario.cluster.digest(),
                scenario.history.acknowledged(),
                scenario.staleReadsLinearizable);
    }

    private void execute() {
        cluster.startAll();
        watch = new RevisionWatch(() -> nodes.machine(cluster.node(SimCluster.endpoint(0))), cluster.scheduler());
        watch.open();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(new KvClient(i, cluster, nodes, history, KEYS));
        }
        clients.forEach(KvClient::start);
        scheduleFault();
        cluster.scheduler().runUntil(FAULT_PHASE_MILLIS * 1_000_000);
        clients.forEach(KvClient::stop);
        heal();
        clients.get(0).finalReads();
        cluster.scheduler().runFor(KvClient.TIMEOUT_MILLIS);
        if (!cluster.awaitConverged(30_000)) {
            failures.add("members did not converge after healing");
        }
        nodes.thrown().forEach(t -> failures.add("the state machine threw to the Raft group: " + t));
        checkHistories();
        checkSameState();
        notes.add(history.summary());
        notes.add(watch.summary());
        notes.add(nodes.summary());
        notes.add("snapshot indexes "
                + cluster.upNodes().stream()
                        .map(n -> cluster.report(n.endpoint())
                                .map(r -> r.snapshotIndex() + "/" + r.commitIndex())
                                .orElse("?"))
                        .toList());
    }

    private void heal() {
        cluster.network().heal();
        cluster.network().configure(1, 5, 0, 0);
        for (SimCluster.Node node : cluster.nodes()) {
            if (!node.isUp()) {
                cluster.restart(node.endpoint());
            }
        }
        if (cluster.awaitLeader(30_000).isEmpty()) {
            failures.add("no leader after healing");
        }
    }

    private void scheduleFault() {
        cluster.scheduler().after((500 + random.nextInt(2500)) * 1_000_000L, () -> {
            if (cluster.scheduler().nowMillis() < FAULT_PHASE_MILLIS) {
                injectFault();
                scheduleFault();
            }
        });
    }

    /** Crashes only nodes 1 and 2 (node 0 keeps the watch), at most one down at a time. */
    private void injectFault() {
        List<SimCluster.Node> all = new ArrayList<>(cluster.nodes());
        List<SimCluster.Node> down = all.stream().filter(n -> !n.isUp()).toList();
        switch (random.nextInt(6)) {
            case 0, 1 -> {
                if (down.isEmpty()) {
                    cluster.crash(all.get(1 + random.nextInt(2)).endpoint());
                }
            }
            case 2 -> down.forEach(n -> cluster.restart(n.endpoint()));
            case 3 -> {
                List<NodeEndpoint> shuffled = new ArrayList<>(
                        all.stream().map(SimCluster.Node::endpoint).toList());
                Collections.shuffle(shuffled, random);
                cluster.network().partition(new NodeEndpoint[] {shuffled.get(0)});
            }
            case 4 -> cluster.network().heal();
            default -> cluster.leader().ifPresent(l -> cluster.network().partition(new NodeEndpoint[] {l}));
        }
    }

    private void checkHistories() {
        LinearizabilityChecker checker = new LinearizabilityChecker(CHECK_STEPS);
        LinearizabilityChecker.Result linearizable = checker.check(history.history(ReadKind.LINEARIZABLE));
        if (!linearizable.linearizable()) {
            failures.add("history with linearizable reads is not linearizable: " + linearizable.explanation());
        }
        for (ReadKind kind : List.of(ReadKind.LEASE, ReadKind.STALE)) {
            LinearizabilityChecker.Result r = checker.check(history.history(kind));
            notes.add(kind + " reads " + (r.linearizable() ? "linearizable" : "NOT linearizable"));
            if (kind == ReadKind.STALE) {
                staleReadsLinearizable = r.linearizable();
            }
        }
    }

    /** Every running node holds the same keys (with metadata), revision and leases; the watch agrees. */
    private void checkSameState() {
        Map<String, List<KeyValue>> scans = new TreeMap<>();
        Map<String, Long> revisions = new TreeMap<>();
        Map<String, Map<Long, Long>> leases = new TreeMap<>();
        for (SimCluster.Node node : cluster.upNodes()) {
            Optional<ScanResponse> scan = scan(node);
            if (scan.isEmpty()) {
                failures.add("scan on " + node.endpoint() + " failed");
                return;
            }
            KvStateMachine machine = nodes.machine(node);
            scans.put(node.endpoint().toString(), scan.get().kvs());
            revisions.put(node.endpoint().toString(), machine.revision());
            leases.put(node.endpoint().toString(), machine.leaseTtls());
        }
        if (scans.values().stream().distinct().count() != 1
                || revisions.values().stream().distinct().count() != 1
                || leases.values().stream().distinct().count() != 1) {
            failures.add("nodes differ: revisions " + revisions + ", keys " + scans + ", leases " + leases);
            return;
        }
        checkWatch(
                scans.values().iterator().next(), revisions.values().iterator().next());
    }

    private void checkWatch(List<KeyValue> finalKeys, long revision) {
        failures.addAll(watch.failures());
        if (watch.lastRevision() != revision) {
            failures.add("watch ended at revision " + watch.lastRevision() + " but the store is at " + revision);
        }
        Map<String, String> expected = new TreeMap<>();
        finalKeys.forEach(kv -> expected.put(text(kv.key()), text(kv.value())));
        if (!watch.hadCompactedGap() && !expected.equals(watch.rebuilt())) {
            failures.add(
                    "keys rebuilt from watch events " + watch.rebuilt() + " differ from the final state " + expected);
        }
    }

    private Optional<ScanResponse> scan(SimCluster.Node node) {
        CompletableFuture<ScanResponse> f = nodes.store(node)
                .scan(
                        KeyRange.prefix(KvClient.KEY_PREFIX.getBytes(StandardCharsets.UTF_8)),
                        0,
                        false,
                        ReadConsistency.stale());
        if (!cluster.await(f, 5_000) || f.isCompletedExceptionally()) {
            return Optional.empty();
        }
        return Optional.of(f.join());
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
