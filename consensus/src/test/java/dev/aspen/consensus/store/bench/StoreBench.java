package dev.aspen.consensus.store.bench;

import dev.aspen.consensus.codec.RaftCodec;
import dev.aspen.consensus.store.DurableRaftStore;
import dev.aspen.consensus.store.StoreOptions;
import dev.aspen.consensus.store.StoreStats;
import io.microraft.model.RaftModelFactory;
import io.microraft.model.impl.DefaultRaftModelFactory;
import io.microraft.model.log.LogEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Write-ahead log throughput: appends log entries carrying 100-byte commands, one entry per
 * {@code persistLogEntries} call (as a Raft leader does), and flushes every N entries (N = 1, 16,
 * 128). Prints entries/s, fsyncs/s, entries per fsync, flush latency and bytes per entry on disk.
 *
 * <p>Usage: {@code StoreBench [directory] [seconds-per-run]}; the directory (default {@code
 * consensus/target/store-bench}) must be on the disk to measure, not a tmpfs.
 */
public final class StoreBench {
    private static final int COMMAND_BYTES = 100;
    private static final int[] FLUSH_EVERY = {1, 16, 128};
    private static final long MAX_ENTRIES_PER_RUN = 2_000_000;

    private StoreBench() {}

    public static void main(String[] args) throws IOException {
        Path root = Paths.get(args.length > 0 ? args[0] : "consensus/target/store-bench");
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        System.out.printf(
                "StoreBench: %d B commands, %.1f s per run, directory %s%n",
                COMMAND_BYTES, seconds, root.toAbsolutePath());
        System.out.printf(
                "%-8s %10s %12s %10s %14s %12s %12s %14s%n",
                "flushN",
                "entries",
                "entries/s",
                "fsyncs/s",
                "entries/fsync",
                "flush p50us",
                "flush p99us",
                "disk B/entry");
        for (int flushEvery : FLUSH_EVERY) {
            Path dir = root.resolve("flush-" + flushEvery);
            deleteRecursively(dir);
            run(dir, flushEvery, (long) (seconds * 1e9));
            deleteRecursively(dir);
        }
    }

    private static void run(Path dir, int flushEvery, long durationNanos) throws IOException {
        RaftModelFactory factory = new DefaultRaftModelFactory();
        byte[] command = new byte[COMMAND_BYTES];
        Arrays.fill(command, (byte) 'x');
        long[] flushNanos = new long[(int) (MAX_ENTRIES_PER_RUN / flushEvery) + 1];
        int flushes = 0;
        long index = 0;
        StoreStats stats;
        long elapsed;
        try (DurableRaftStore store = DurableRaftStore.open(dir, new RaftCodec(), StoreOptions.defaults())) {
            long start = System.nanoTime();
            while (System.nanoTime() - start < durationNanos && index < MAX_ENTRIES_PER_RUN) {
                for (int i = 0; i < flushEvery; i++) {
                    LogEntry entry = factory.createLogEntryBuilder()
                            .setIndex(++index)
                            .setTerm(1)
                            .setOperation(command)
                            .build();
                    store.persistLogEntries(List.of(entry));
                }
                long before = System.nanoTime();
                store.flush();
                flushNanos[flushes++] = System.nanoTime() - before;
            }
            elapsed = System.nanoTime() - start;
            stats = store.stats();
        }
        long diskBytes = sizeOf(dir, ".wal");
        double secs = elapsed / 1e9;
        long[] sorted = Arrays.copyOf(flushNanos, flushes);
        Arrays.sort(sorted);
        System.out.printf(
                "%-8d %10d %12.0f %10.0f %14.1f %12.0f %12.0f %14.1f%n",
                flushEvery,
                index,
                index / secs,
                stats.fsyncs() / secs,
                stats.entriesPerFsync(),
                sorted[flushes / 2] / 1e3,
                sorted[(int) Math.min(flushes - 1, flushes * 0.99)] / 1e3,
                (double) diskBytes / index);
    }

    private static long sizeOf(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            long total = 0;
            for (Path file : files.filter(p -> p.toString().endsWith(suffix)).toList()) {
                total += Files.size(file);
            }
            return total;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
