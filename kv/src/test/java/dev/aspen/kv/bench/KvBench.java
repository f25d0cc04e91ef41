package dev.aspen.kv.bench;

import dev.aspen.kv.Compare;
import dev.aspen.kv.KvConfig;
import dev.aspen.kv.KvStateMachine;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.internal.Command;
import dev.aspen.kv.internal.CommandCodec;
import dev.aspen.kv.internal.Query;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * State machine benchmark: apply rate for put/get/txn, map file size and resident memory with N
 * keys of 16 B and 100 B values, snapshot take/install time, and reopen time after a clean restart
 * and after a crash. Usage: {@code KvBench [keys] [dataDir]}; prints one line per measurement.
 */
public final class KvBench {
    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private KvBench() {}

    public static void main(String[] args) throws IOException {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("kv-bench");
        KvConfig config = KvConfig.builder(dir)
                .maxKeys(keys + keys / 10)
                .averageKeyBytes(16)
                .averageValueBytes(100)
                .build();
        System.out.printf("keys=%d dir=%s%n", keys, dir);
        long index;
        List<byte[]> snapshot = new ArrayList<>();
        try (KvStateMachine m = KvStateMachine.open(config)) {
            index = applyPuts(m, keys);
            runGets(m, keys);
            index = applyTxns(m, index, Math.min(keys, 300_000));
            System.gc();
            System.out.printf(
                    "map files: %.1f MiB on disk (allocated %.1f MiB), RSS %.1f MiB, live heap after GC %.1f MiB%n",
                    mib(diskBytes(dir)), mib(m.fileBytes()), mib(rssBytes()), mib(heapUsed()));
            long t0 = mark();
            long[] bytes = {0};
            m.takeSnapshot(m.appliedIndex(), 1 << 20, c -> {
                snapshot.add(c);
                bytes[0] += c.length;
            });
            System.out.printf("takeSnapshot: %d chunks, %.1f MiB in %s%n", snapshot.size(), mib(bytes[0]), ms(t0));
        }
        reopen(config, "clean restart", false);
        Files.delete(dir.resolve("clean-shutdown"));
        try (KvStateMachine m = reopen(config, "crash restart (discard)", true)) {
            long t0 = mark();
            m.installSnapshot(index, snapshot);
            System.out.printf(
                    "installSnapshot after crash: %d keys in %s, RSS %.1f MiB%n",
                    m.keyCount(), ms(t0), mib(rssBytes()));
        }
        deleteTree(dir);
    }

    private static long applyPuts(KvStateMachine m, int keys) {
        byte[] value = new byte[100];
        long t0 = mark();
        for (int i = 0; i < keys; i++) {
            m.apply(i + 1, CommandCodec.encode(new Command.Put(new TxnOp.Put(key(i), value, 0, false))));
        }
        report("put", keys, t0);
        return keys;
    }

    private static void runGets(KvStateMachine m, int keys) {
        long t0 = mark();
        for (int i = 0; i < keys; i++) {
            m.query(CommandCodec.encode(new Query.Get(key((int) ((i * 7919L) % keys)), 0)));
        }
        report("get", keys, t0);
    }

    private static long applyTxns(KvStateMachine m, long index, int count) {
        byte[] value = new byte[100];
        long t0 = mark();
        for (int i = 0; i < count; i++) {
            byte[] key = key(i);
            Command txn = new Command.Txn(
                    List.of(Compare.number(key, Compare.Target.VERSION, Compare.Op.EQUAL, 1)),
                    List.of(new TxnOp.Put(key, value, 0, false)),
                    List.of(new TxnOp.Get(key)));
            m.apply(++index, CommandCodec.encode(txn));
        }
        report("txn (compare version + put)", count, t0);
        return index;
    }

    private static KvStateMachine reopen(KvConfig config, String what, boolean keepOpen) {
        long t0 = mark();
        KvStateMachine m = KvStateMachine.open(config);
        System.out.printf(
                "%s: reopen in %s, reused=%s, appliedIndex=%d, keys=%d, RSS %.1f MiB%n",
                what, ms(t0), m.reusedOnOpen(), m.appliedIndex(), m.keyCount(), mib(rssBytes()));
        if (!keepOpen) {
            m.close();
        }
        return m;
    }

    private static byte[] key(int i) {
        return String.format("key-%011d", i).getBytes(StandardCharsets.US_ASCII);
    }

    private static long cpu0;

    private static void report(String what, long ops, long t0) {
        double secs = (System.nanoTime() - t0) / 1e9;
        long cpu = CPU.getCurrentThreadCpuTime();
        double cpuSecs = (cpu - cpu0) / 1e9;
        cpu0 = cpu;
        System.out.printf(
                "%s: %d ops in %.2f s = %.0f ops/s wall, %.0f ops per CPU-second of the apply thread%n",
                what, ops, secs, ops / secs, ops / cpuSecs);
    }

    /** "W ms wall / C ms CPU" since {@code t0} and {@link #mark()}. */
    private static String ms(long t0) {
        long cpu = CPU.getCurrentThreadCpuTime();
        String out =
                String.format("%d ms wall / %d ms CPU", (System.nanoTime() - t0) / 1_000_000, (cpu - cpu0) / 1_000_000);
        cpu0 = cpu;
        return out;
    }

    private static long mark() {
        cpu0 = CPU.getCurrentThreadCpuTime();
        return System.nanoTime();
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static long rssBytes() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024)
                    .findFirst()
                    .orElse(-1L);
        } catch (IOException e) {
            return -1;
        }
    }

    private static long diskBytes(Path dir) throws IOException {
        Process files = new ProcessBuilder("du", "-k", "-a", dir.toString()).start();
        Process used = new ProcessBuilder("du", "-sk", dir.toString()).start();
        try {
            for (String line :
                    new String(files.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.endsWith(".cm")) {
                    System.out.println("  file (KiB on disk): " + line);
                }
            }
            files.waitFor();
            String out = new String(used.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            used.waitFor();
            return Long.parseLong(out.split("\\s+")[0]) * 1024;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
