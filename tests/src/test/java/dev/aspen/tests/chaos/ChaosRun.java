package dev.aspen.tests.chaos;

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

    /**
     * What to run.
     *
     * @param nodes cluster size (3 or 5)
     * @param duration keep injecting faults until this much time has passed
     * @param seed the seed of every random choice
     * @param javaClients clients on {@code AspenClient}
     * @param httpClients clients on the HTTP API
     * @param reports where the summary, the history and any anomalies are written
     */
    record Settings(int nodes, Duration duration, long seed, int javaClients, int httpClients, Path reports) {}

    /** The outcome of a run and its report text. */
    record Summary(
            HistoryCheck.Verdict verdict,
            Map<String, Long> operations,
            List<String> faults,
            String text,
            Path reports) {}

    private ChaosRun() {}

    /**
     * Runs with {@code root} the repository (for {@code bin/aspen}) and {@code work} the nodes' data.
     * Each fault of {@link Nemesis.Fault} is injected at least once, in a seeded order, then more
     * until {@code duration} has passed.
     */
    static Summary run(Path root, Path work, Settings settings) throws Exception {
        var random = new Random(settings.seed());
        var history = new History();
        long started = System.nanoTime();
        Files.createDirectories(settings.reports());
        try (var cluster = new NodeCluster(root, work, settings.nodes(), random)) {
            cluster.start();
            var workload = new Workload(history);
            var drivers = new ArrayList<Driver>();
            ExecutorService clients = Executors.newFixedThreadPool(settings.javaClients() + settings.httpClients());
            var nemesis = new Nemesis(cluster, random, history);
            try {
                String ticket = cluster.ticket();
                for (int i = 0; i < settings.javaClients() + settings.httpClients(); i++) {
                    drivers.add(
                            i < settings.javaClients()
                                    ? new JavaDriver(ticket, cluster.cookie(), OP_TIMEOUT)
                                    : new HttpDriver(cluster, OP_TIMEOUT, new Random(random.nextLong())));
                }
                var running = new ArrayList<Future<?>>();
                for (int i = 0; i < drivers.size(); i++) {
                    int client = i;
                    var clientRandom = new Random(random.nextLong());
                    running.add(clients.submit(() -> workload.runClient(client, drivers.get(client), clientRandom)));
                }
                injectFaults(nemesis, random, settings.duration(), started);
                workload.stop();
                for (Future<?> client : running) {
                    client.get(OP_TIMEOUT.toSeconds() * 4, TimeUnit.SECONDS);
                }
                cluster.heal();
                finalRead(cluster, history);
                return report(settings, history, nemesis.log(), workload.errors(), started);
            } finally {
                workload.stop();
                clients.shutdownNow();
                drivers.forEach(Driver::close);
                cluster.close();
                copyNodeLogs(work, settings.reports().resolve("nodes"));
            }
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

    private static void injectFaults(Nemesis nemesis, Random random, Duration duration, long started)
            throws IOException, InterruptedException {
        var deck = new ArrayList<Nemesis.Fault>();
        int injected = 0;
        Nemesis.hold(QUIET);
        while (injected < Nemesis.Fault.values().length || System.nanoTime() - started < duration.toNanos()) {
            if (deck.isEmpty()) {
                deck.addAll(List.of(Nemesis.Fault.values()));
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
            Settings settings, History history, List<String> faults, Map<String, Long> errors, long started)
            throws IOException {
        List<Op> ops = history.ops();
        HistoryCheck.Verdict verdict = HistoryCheck.check(ops);
        Map<String, Long> operations = new TreeMap<>();
        for (Op op : ops) {
            if (op.client() != Op.FINAL_READER) {
                operations.merge(
                        op.kind().name().toLowerCase(java.util.Locale.ROOT) + " "
                                + op.outcome().name().toLowerCase(java.util.Locale.ROOT),
                        1L,
                        Long::sum);
            }
        }
        Path historyFile = settings.reports().resolve("history.txt");
        history.write(historyFile);
        var text = new StringBuilder();
        text.append(String.format(
                "chaos: %d nodes, seed %d, %d s, %d clients (%d Java, %d HTTP)%n",
                settings.nodes(),
                settings.seed(),
                (System.nanoTime() - started) / 1_000_000_000L,
                settings.javaClients() + settings.httpClients(),
                settings.javaClients(),
                settings.httpClients()));
        long total = operations.values().stream().mapToLong(Long::longValue).sum();
        text.append(String.format("operations: %d on %d keys%n", total, verdict.keys()));
        operations.forEach((k, v) -> text.append(String.format("  %-28s %d%n", k, v)));
        text.append("errors seen by clients:")
                .append(errors.isEmpty() ? " none" : "")
                .append('\n');
        errors.forEach((k, v) -> text.append(String.format("  %-40s %d%n", k, v)));
        text.append(String.format("faults injected: %d%n", faults.size()));
        faults.forEach(f -> text.append("  ").append(f).append('\n'));
        text.append(String.format("anomalies: %d%n", verdict.anomalies()));
        text.append(String.format(
                "  linearizable history violations: %d%n",
                verdict.linearizable().size()));
        text.append(String.format(
                "  stale reads of unwritten values: %d%n", verdict.stale().size()));
        text.append(
                String.format("acknowledged writes lost: %d%n", verdict.lost().size()));
        text.append(String.format(
                "lease-read history violations (reported apart): %d%n",
                verdict.lease().size()));
        text.append(String.format(
                "keys the checker gave up on: %d%n", verdict.inconclusive().size()));
        text.append("history: ").append(historyFile).append('\n');
        List<String> findings = new ArrayList<>();
        findings.addAll(verdict.linearizable());
        findings.addAll(verdict.stale());
        findings.addAll(verdict.lost());
        findings.addAll(verdict.lease());
        findings.addAll(verdict.inconclusive());
        if (!findings.isEmpty()) {
            Path anomalies = settings.reports().resolve("anomalies.txt");
            findings.add(
                    0,
                    "seed " + settings.seed() + "; history " + historyFile + "; node logs in "
                            + settings.reports().resolve("nodes"));
            Files.write(anomalies, findings, StandardCharsets.UTF_8);
            text.append("anomalies explained: ").append(anomalies).append('\n');
        }
        Files.writeString(settings.reports().resolve("summary.txt"), text, StandardCharsets.UTF_8);
        return new Summary(verdict, operations, faults, text.toString(), settings.reports());
    }
}
