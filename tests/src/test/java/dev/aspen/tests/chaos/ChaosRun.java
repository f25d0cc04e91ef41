package dev.aspen.tests.chaos;

import static org.awaitility.Awaitility.await;

import dev.aspen.kv.ReadConsistency;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One chaos run: start the cluster, run the clients while the nemesis injects faults, heal, read
 * every key, check the history, and write the report. Everything random comes from the seed (the
 * interleaving of real processes does not, so a seed replays the schedule of faults and operations,
 * not the exact history).
 */
final class ChaosRun {
    /** Per-operation client timeout; past it the operation's outcome is unknown. */
    static final Duration OP_TIMEOUT = Duration.ofSeconds(5);
    /** Workload before the first fault and between faults. */
    static final Duration QUIET = Duration.ofSeconds(2);

    /** The prefix of the register workload's keys, watched by the watchers. */
    static final String WATCHED_PREFIX = "k";
    /** How long the healed cluster gets to expire every lease and bring every watcher up to date. */
    static final Duration SETTLE_LIMIT = Duration.ofSeconds(60);

    /**
     * What to run.
     *
     * @param nodes cluster size (3 or 5)
     * @param duration keep injecting faults until this much time has passed
     * @param seed the seed of every random choice
     * @param javaClients register clients on {@code AspenClient}
     * @param httpClients register clients on the HTTP API
     * @param partitions start the nodes with {@code --fault-injection} and inject partitions too
     * @param faults the faults to inject, each at least once (those the cluster supports)
     * @param reports where the summary, the history and any anomalies are written
     */
    record Settings(
            int nodes,
            Duration duration,
            long seed,
            int javaClients,
            int httpClients,
            boolean partitions,
            java.util.Set<Nemesis.Fault> faults,
            Path reports) {}

    /**
     * The outcome of a run and its report text.
     *
     * @param leases broken lease promises (and lease keys that never went away)
     * @param watches broken revision and watch promises
     */
    record Summary(
            HistoryCheck.Verdict verdict,
            List<String> leases,
            List<String> watches,
            Map<String, Long> operations,
            List<String> faults,
            String text,
            Path reports) {
        /** Every broken promise: the register checks' anomalies, leases and watches. */
        int anomalies() {
            return verdict.anomalies() + leases.size() + watches.size();
        }
    }

    private ChaosRun() {}

    /**
     * Runs with {@code root} the repository (for {@code bin/aspen}) and {@code work} the nodes' data.
     * Each fault of the settings the cluster supports ({@link Nemesis#supported}) is injected at
     * least once, in a seeded order, then more until {@code duration} has passed.
     */
    static Summary run(Path root, Path work, Settings settings) throws Exception {
        var random = new Random(settings.seed());
        var history = new History();
        long started = System.nanoTime();
        Files.createDirectories(settings.reports());
        try (var cluster = new NodeCluster(root, work, settings.nodes(), random, settings.partitions())) {
            cluster.start();
            var workload = new Workload(history);
            var leases = new LeaseWorkload(history);
            var drivers = new ArrayList<Driver>();
            var watchers = new ArrayList<Watcher>();
            int registerClients = settings.javaClients() + settings.httpClients();
            ExecutorService clients = Executors.newFixedThreadPool(registerClients + 2);
            var nemesis = new Nemesis(cluster, random, history);
            try {
                String ticket = cluster.ticket();
                for (int i = 0; i < registerClients + 2; i++) {
                    boolean java = i < settings.javaClients() || i == registerClients;
                    drivers.add(
                            java
                                    ? new JavaDriver(ticket, cluster.cookie(), OP_TIMEOUT)
                                    : new HttpDriver(cluster, OP_TIMEOUT, new Random(random.nextLong())));
                }
                watchers.add(new Watcher(0, ticket, cluster.cookie(), WATCHED_PREFIX, 1, OP_TIMEOUT));
                watchers.get(0).start();
                var running = new ArrayList<Future<?>>();
                for (int i = 0; i < drivers.size(); i++) {
                    int client = i;
                    var clientRandom = new Random(random.nextLong());
                    running.add(clients.submit(() -> {
                        if (client < registerClients) {
                            workload.runClient(client, drivers.get(client), clientRandom);
                        } else {
                            leases.runClient(client, drivers.get(client), clientRandom);
                        }
                    }));
                }
                Nemesis.hold(QUIET);
                // The second watcher starts mid-run, from a revision some way back (history replays first).
                long from = Math.max(1, highestAcknowledgedRevision(history) - 100);
                watchers.add(new Watcher(1, ticket, cluster.cookie(), WATCHED_PREFIX, from, OP_TIMEOUT));
                watchers.get(1).start();
                var faults = Nemesis.supported(cluster).stream()
                        .filter(settings.faults()::contains)
                        .toList();
                injectFaults(nemesis, faults, random, settings.duration(), started);
                workload.stop();
                leases.stop();
                for (Future<?> client : running) {
                    client.get(OP_TIMEOUT.toSeconds() * 10, TimeUnit.SECONDS);
                }
                cluster.heal();
                finalRead(cluster, history);
                var reader = new HttpDriver(cluster, OP_TIMEOUT, new Random(0));
                var lingering = leases.awaitAllGone(reader, SETTLE_LIMIT);
                awaitWatchers(watchers, highestAcknowledgedRevision(history));
                List<String> leaseFindings = new ArrayList<>(LeaseCheck.check(history.leaseOps(), nemesis.windows()));
                lingering.forEach(key -> leaseFindings.add(
                        "lease key " + key + " still present " + SETTLE_LIMIT.toSeconds() + " s after the run healed"));
                List<String> watchFindings = WatchCheck.check(
                        history.ops(),
                        WATCHED_PREFIX,
                        watchers.stream().map(Watcher::record).toList());
                var errors = new TreeMap<>(workload.errors());
                errors.putAll(leases.errors());
                return report(
                        settings,
                        history,
                        new Findings(
                                leaseFindings,
                                watchFindings,
                                watchers.stream().map(Watcher::record).toList()),
                        nemesis.log(),
                        errors,
                        started);
            } finally {
                workload.stop();
                leases.stop();
                clients.shutdownNow();
                drivers.forEach(Driver::close);
                watchers.forEach(Watcher::close);
                cluster.close();
                copyNodeLogs(work, settings.reports().resolve("nodes"));
            }
        }
    }

    /** The lease and watch checks' findings, and what the watchers saw. */
    private record Findings(List<String> leases, List<String> watches, List<Watcher.Record> watchers) {}

    private static long highestAcknowledgedRevision(History history) {
        return history.ops().stream().mapToLong(Op::revision).max().orElse(0);
    }

    /** Gives the watchers up to {@link #SETTLE_LIMIT} to deliver {@code revision}; the check reports what is missing. */
    private static void awaitWatchers(List<Watcher> watchers, long revision) {
        try {
            await("every watcher delivered revision " + revision)
                    .atMost(SETTLE_LIMIT)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> watchers.stream().allMatch(w -> w.next() > revision));
        } catch (ConditionTimeoutException e) {
            // WatchCheck names every acknowledged write a watcher was not delivered
        }
    }

    /** Keeps the nodes' logs with the report (the data directories are discarded). */
    private static void copyNodeLogs(Path work, Path into) throws IOException {
        Files.createDirectories(into);
        try (var logs = Files.newDirectoryStream(work, "n*.log")) {
            for (Path log : logs) {
                Files.copy(log, into.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void injectFaults(
            Nemesis nemesis, List<Nemesis.Fault> faults, Random random, Duration duration, long started)
            throws IOException, InterruptedException {
        var deck = new ArrayList<Nemesis.Fault>();
        int injected = 0;
        while (injected < faults.size() || System.nanoTime() - started < duration.toNanos()) {
            if (deck.isEmpty()) {
                deck.addAll(faults);
                Collections.shuffle(deck, random);
            }
            nemesis.inject(deck.remove(deck.size() - 1));
            injected++;
            Nemesis.hold(QUIET);
        }
    }

    /** A linearizable read of every key of the history, through HTTP, recorded as the final reads. */
    private static void finalRead(NodeCluster cluster, History history) throws Exception {
        var keys = history.ops().stream().map(Op::key).collect(Collectors.toCollection(TreeSet::new));
        var reader = new HttpDriver(cluster, OP_TIMEOUT, new Random(0));
        for (String key : keys) {
            Exception last = null;
            for (int attempt = 0; attempt < 10; attempt++) {
                long call = history.now();
                try {
                    String value = reader.get(key, ReadConsistency.Mode.LINEARIZABLE);
                    history.add(new Op(
                            Op.FINAL_READER,
                            Op.Kind.READ_LINEARIZABLE,
                            key,
                            value,
                            null,
                            Op.Outcome.OK,
                            call,
                            history.now()));
                    last = null;
                    break;
                } catch (Exception e) {
                    last = e;
                }
            }
            if (last != null) {
                throw new IllegalStateException("the final read of " + key + " failed 10 times", last);
            }
        }
    }

    private static Summary report(
            Settings settings,
            History history,
            Findings findings,
            List<String> faults,
            Map<String, Long> errors,
            long started)
            throws IOException {
        List<Op> ops = history.ops();
        HistoryCheck.Verdict verdict = HistoryCheck.check(ops);
        Map<String, Long> operations = new TreeMap<>();
        for (Op op : ops) {
            if (op.client() != Op.FINAL_READER) {
                operations.merge(name(op.kind()) + " " + name(op.outcome()), 1L, Long::sum);
            }
        }
        for (LeaseOp op : history.leaseOps()) {
            if (op.client() != Op.FINAL_READER) {
                operations.merge("lease " + name(op.kind()) + " " + name(op.outcome()), 1L, Long::sum);
            }
        }
        Path historyFile = settings.reports().resolve("history.txt");
        history.write(historyFile);
        var summary =
                new Summary(verdict, findings.leases(), findings.watches(), operations, faults, "", settings.reports());
        String text = text(settings, summary, findings, errors, historyFile, started);
        List<String> explained = new ArrayList<>();
        explained.addAll(verdict.linearizable());
        explained.addAll(verdict.stale());
        explained.addAll(verdict.lost());
        explained.addAll(findings.leases());
        explained.addAll(findings.watches());
        explained.addAll(verdict.lease());
        explained.addAll(verdict.inconclusive());
        if (!explained.isEmpty()) {
            Path anomalies = settings.reports().resolve("anomalies.txt");
            explained.add(
                    0,
                    "seed " + settings.seed() + "; history " + historyFile + "; node logs in "
                            + settings.reports().resolve("nodes"));
            Files.write(anomalies, explained, StandardCharsets.UTF_8);
            text += "anomalies explained: " + anomalies + "\n";
        }
        Files.writeString(settings.reports().resolve("summary.txt"), text, StandardCharsets.UTF_8);
        return new Summary(
                verdict, findings.leases(), findings.watches(), operations, faults, text, settings.reports());
    }

    private static String name(Enum<?> value) {
        return value.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String text(
            Settings settings,
            Summary summary,
            Findings findings,
            Map<String, Long> errors,
            Path historyFile,
            long started) {
        HistoryCheck.Verdict verdict = summary.verdict();
        var text = new StringBuilder();
        text.append(String.format(
                "chaos: %d nodes, seed %d, %d s, %d register clients (%d Java, %d HTTP), 2 lease clients, %d watchers%n",
                settings.nodes(),
                settings.seed(),
                (System.nanoTime() - started) / 1_000_000_000L,
                settings.javaClients() + settings.httpClients(),
                settings.javaClients(),
                settings.httpClients(),
                findings.watchers().size()));
        long total = summary.operations().values().stream()
                .mapToLong(Long::longValue)
                .sum();
        text.append(String.format("operations: %d on %d keys%n", total, verdict.keys()));
        summary.operations().forEach((k, v) -> text.append(String.format("  %-28s %d%n", k, v)));
        for (Watcher.Record w : findings.watchers()) {
            text.append(String.format(
                    "  watcher %d: from revision %d to %d, %d events, %d ends with an error, %d revisions compacted away%n",
                    w.id(),
                    w.from(),
                    w.next() - 1,
                    w.events().size(),
                    w.ends().size(),
                    w.gaps().stream().mapToLong(g -> g.to() - g.from() + 1).sum()));
        }
        text.append("errors seen by clients:")
                .append(errors.isEmpty() ? " none" : "")
                .append('\n');
        errors.forEach((k, v) -> text.append(String.format("  %-40s %d%n", k, v)));
        text.append(String.format("faults injected: %d%n", summary.faults().size()));
        summary.faults().forEach(f -> text.append("  ").append(f).append('\n'));
        text.append(String.format("anomalies: %d%n", summary.anomalies()));
        text.append(String.format(
                "  linearizable history violations: %d%n",
                verdict.linearizable().size()));
        text.append(String.format(
                "  stale reads of unwritten values: %d%n", verdict.stale().size()));
        text.append(
                String.format("  lease promises broken: %d%n", findings.leases().size()));
        text.append(String.format(
                "  revision and watch promises broken: %d%n", findings.watches().size()));
        text.append(
                String.format("acknowledged writes lost: %d%n", verdict.lost().size()));
        text.append(String.format(
                "lease-read history violations (reported apart): %d%n",
                verdict.lease().size()));
        text.append(String.format(
                "keys the checker gave up on: %d%n", verdict.inconclusive().size()));
        text.append("history: ").append(historyFile).append('\n');
        return text.toString();
    }
}
