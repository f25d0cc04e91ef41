package dev.aspen.mesh.metrics;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches how full the data dir's file system is and says when writes must be refused: when more
 * than {@code limitPercent} of it is used (used = total - usable to this process). {@link
 * DiskGuardedStore} applies the verdict to a store; metrics and {@code /health} read {@link
 * #usage()} and {@link #writeRefusal()}.
 *
 * <p>The file system is read at most once per {@link #REFRESH_INTERVAL}; between reads every caller
 * gets the cached reading, and while one thread re-reads the others keep the previous one, so no
 * caller waits on another. A failed read is logged once per run of failures and keeps the previous
 * reading (none before the first success: writes are allowed). Crossing the limit is logged once
 * each way. Thread-safe.
 */
public final class DiskGuard {
    /** The longest a reading is reused. */
    public static final Duration REFRESH_INTERVAL = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(DiskGuard.class);

    /** Reads the file system's size and free space; may do I/O, should be quick. */
    @FunctionalInterface
    public interface UsageSource {
        /** The current usage. */
        Usage read() throws IOException;
    }

    /**
     * A file system's size, counted the way {@code df} counts it: blocks reserved for root (and
     * blocks a shared or thin-provisioned volume cannot give this process) are neither used nor
     * usable, so "percent used" is what {@code df} prints in its Use% column.
     *
     * @param totalBytes its size
     * @param freeBytes the bytes not allocated to any file, reserved blocks included
     * @param usableBytes the bytes this process may still write
     */
    public record Usage(long totalBytes, long freeBytes, long usableBytes) {
        /** Validates the fields. */
        public Usage {
            if (totalBytes < 0 || freeBytes < 0 || usableBytes < 0) {
                throw new IllegalArgumentException("disk sizes must be >= 0, were total " + totalBytes + " free "
                        + freeBytes + " usable " + usableBytes);
            }
        }

        /** Bytes allocated to files: total minus free (never negative). */
        public long usedBytes() {
            return Math.max(0, totalBytes - freeBytes);
        }

        /**
         * Used bytes as a percentage of used plus usable bytes, as {@code df}'s Use% (0 for an empty
         * file system with nothing usable).
         */
        public double usedPercent() {
            long capacity = usedBytes() + usableBytes;
            return capacity == 0 ? 0 : usedBytes() * 100.0 / capacity;
        }
    }

    private record Reading(Usage usage, long atNanos, boolean failed) {}

    private final Path dataDir;
    private final int limitPercent;
    private final UsageSource source;
    private final LongSupplier nanoClock;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final LongAdder refusedWrites = new LongAdder();
    private volatile Reading last;

    /**
     * A guard over {@code dataDir}'s file system, reading it through {@code source} and timing the
     * cache with {@code nanoClock} (as {@link System#nanoTime()}). Reads the usage once now.
     *
     * @param limitPercent writes are refused when more than this percentage is used (1 to 100)
     */
    public DiskGuard(Path dataDir, int limitPercent, UsageSource source, LongSupplier nanoClock) {
        if (limitPercent < 1 || limitPercent > 100) {
            throw new IllegalArgumentException("disk full percent must be 1..100, was " + limitPercent);
        }
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        this.limitPercent = limitPercent;
        this.source = Objects.requireNonNull(source, "source");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.last = read(nanoClock.getAsLong(), null);
    }

    /**
     * A guard over the file system holding {@code dataDir} (which must exist), reading its {@link
     * FileStore} with the system clock.
     *
     * @throws IOException if the file system of {@code dataDir} cannot be found
     */
    public static DiskGuard forDataDir(Path dataDir, int limitPercent) throws IOException {
        FileStore store = Files.getFileStore(dataDir);
        return new DiskGuard(
                dataDir,
                limitPercent,
                () -> new Usage(store.getTotalSpace(), store.getUnallocatedSpace(), store.getUsableSpace()),
                System::nanoTime);
    }

    /** The guarded data dir. */
    public Path dataDir() {
        return dataDir;
    }

    /** The limit: writes are refused above this percentage used. */
    public int limitPercent() {
        return limitPercent;
    }

    /** The latest reading (at most {@link #REFRESH_INTERVAL} old); empty if none has succeeded. Never blocks. */
    public Optional<Usage> usage() {
        Reading reading = last;
        long now = nanoClock.getAsLong();
        if (now - reading.atNanos() >= REFRESH_INTERVAL.toNanos() && refreshing.compareAndSet(false, true)) {
            try {
                reading = read(now, reading);
                last = reading;
            } finally {
                refreshing.set(false);
            }
        }
        return Optional.ofNullable(reading.usage());
    }

    /**
     * Why writes are refused now, for example {@code disk /data is 96.2% full (limit 95%): writes
     * are refused until space is freed}; empty while they are allowed.
     */
    public Optional<String> writeRefusal() {
        return usage().filter(this::overLimit).map(this::refusalMessage);
    }

    /** Writes refused so far by {@link DiskGuardedStore}s using this guard. */
    public long refusedWrites() {
        return refusedWrites.sum();
    }

    void countRefusal() {
        refusedWrites.increment();
    }

    private boolean overLimit(Usage usage) {
        return usage.usedPercent() > limitPercent;
    }

    private String refusalMessage(Usage usage) {
        return String.format(
                Locale.ROOT,
                "disk %s is %.1f%% full (limit %d%%): writes are refused until space is freed",
                dataDir,
                usage.usedPercent(),
                limitPercent);
    }

    /** Reads the usage; on failure keeps {@code previous}'s usage. Logs failures and limit crossings once. */
    private Reading read(long now, Reading previous) {
        Usage before = previous == null ? null : previous.usage();
        try {
            Usage usage = Objects.requireNonNull(source.read(), "usage source returned null");
            boolean wasOver = before != null && overLimit(before);
            if (overLimit(usage) && !wasOver) {
                log.warn("{}", refusalMessage(usage));
            } else if (!overLimit(usage) && wasOver) {
                log.info(
                        "disk {} is {}% full (limit {}%): writes are accepted again",
                        dataDir, String.format(Locale.ROOT, "%.1f", usage.usedPercent()), limitPercent);
            }
            return new Reading(usage, now, false);
        } catch (IOException | RuntimeException e) {
            if (previous == null || !previous.failed()) {
                log.warn("cannot read the disk usage of {}; keeping the last reading until it can", dataDir, e);
            }
            return new Reading(before, now, true);
        }
    }
}
