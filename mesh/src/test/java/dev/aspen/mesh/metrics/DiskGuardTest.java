package dev.aspen.mesh.metrics;

import static dev.aspen.mesh.metrics.LocalStore.b;
import static dev.aspen.mesh.metrics.LocalStore.failure;
import static dev.aspen.mesh.metrics.LocalStore.join;
import static dev.aspen.mesh.metrics.LocalStore.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KvException;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.TxnOp;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskGuardTest {
    static final long GIB = 1L << 30;
    static final long SECOND = 1_000_000_000L;
    static final Path DATA = Path.of("/data/aspen");

    @TempDir
    Path dir;

    final AtomicReference<DiskGuard.Usage> disk = new AtomicReference<>(percentUsed(50));
    final AtomicInteger reads = new AtomicInteger();
    final AtomicLong clock = new AtomicLong(7 * SECOND);
    DiskGuard guard;
    LocalStore local;
    DiskGuardedStore kv;

    /** A 100 GiB disk with {@code percent} used. */
    static DiskGuard.Usage percentUsed(double percent) {
        long total = 100 * GIB;
        long free = Math.round(total * (100 - percent) / 100);
        return new DiskGuard.Usage(total, free, free);
    }

    @BeforeEach
    void open() {
        guard = new DiskGuard(
                DATA,
                95,
                () -> {
                    reads.incrementAndGet();
                    return disk.get();
                },
                clock::get);
        local = new LocalStore(dir);
        kv = new DiskGuardedStore(local.store, guard);
    }

    @AfterEach
    void close() {
        local.close();
    }

    /** Sets the simulated usage and lets the cache expire. */
    void diskAt(double percent) {
        disk.set(percentUsed(percent));
        clock.addAndGet(SECOND);
    }

    @Test
    void refusesWritesAboveTheLimitWithUnavailableAndAMessage() {
        join(kv.put(b("a"), b("1")));
        diskAt(96.2);

        String message = "disk /data/aspen is 96.2% full (limit 95%): writes are refused until space is freed";
        KvException refused = failure(kv.put(b("b"), b("2")));
        assertThat(refused.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(refused).hasMessage("unavailable: " + message);
        assertThat(failure(kv.delete(KeyRange.key(b("a")), false)).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(failure(kv.putAll(List.of(new TxnOp.Put(b("c"), b("3"), 0, false))))
                        .code())
                .isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(failure(kv.txn(List.of(), List.of(new TxnOp.Get(b("a"))), List.of()))
                        .code())
                .isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(failure(kv.leaseGrant(10)).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(guard.writeRefusal()).contains(message);
        assertThat(guard.refusedWrites()).isEqualTo(5);

        // Nothing reached the store.
        assertThat(join(kv.get(b("a"))).kv())
                .hasValueSatisfying(v -> assertThat(v.value()).isEqualTo(b("1")));
        assertThat(join(kv.get(b("b"))).kv()).isEmpty();
        assertThat(local.machine.revision()).isEqualTo(1);
    }

    @Test
    void letsReadsWatchesAndLeaseUpkeepPassWhenFull() {
        join(kv.put(b("a"), b("1")));
        long lease = join(kv.leaseGrant(60)).id();
        diskAt(99);

        assertThat(join(kv.get(b("a"), ReadConsistency.stale())).kv()).isPresent();
        assertThat(join(kv.scan(KeyRange.prefix(b("")), 0, true, ReadConsistency.LINEARIZABLE))
                        .kvs())
                .hasSize(1);
        assertThat(join(kv.leaseTimeToLive(lease, ReadConsistency.LINEARIZABLE)).grantedTtlSeconds())
                .isEqualTo(60);
        assertThat(join(kv.leaseKeepAlive(lease)).id()).isEqualTo(lease);
        join(kv.watch(KeyRange.prefix(b("")), 0, false, new NoEvents())).close();
        join(kv.leaseRevoke(lease));
        assertThat(guard.refusedWrites()).isZero();
    }

    @Test
    void acceptsWritesAgainOnceSpaceIsFreed() {
        diskAt(97);
        assertThat(failure(kv.put(b("a"), b("1"))).code()).isEqualTo(ErrorCode.UNAVAILABLE);

        diskAt(95); // exactly at the limit is allowed: only "above" refuses
        assertThat(join(kv.put(b("a"), b("1"))).revision()).isEqualTo(1);
        assertThat(guard.writeRefusal()).isEmpty();
    }

    @Test
    void readsTheDiskAtMostOncePerInterval() {
        assertThat(reads).hasValue(1); // at construction
        disk.set(percentUsed(99));
        for (int i = 0; i < 100; i++) {
            guard.usage();
        }
        clock.addAndGet(SECOND - 1);
        assertThat(guard.writeRefusal()).isEmpty(); // still the cached 50 % reading
        assertThat(reads).hasValue(1);

        clock.addAndGet(1);
        assertThat(guard.writeRefusal()).hasValueSatisfying(m -> assertThat(m).contains("99.0% full"));
        assertThat(reads).hasValue(2);
        guard.usage();
        assertThat(reads).hasValue(2);
    }

    @Test
    void keepsTheLastReadingWhenTheDiskCannotBeRead() {
        AtomicReference<IOException> readFailure = new AtomicReference<>();
        DiskGuard flaky = new DiskGuard(
                DATA,
                95,
                () -> {
                    if (readFailure.get() != null) {
                        throw readFailure.get();
                    }
                    return disk.get();
                },
                clock::get);
        diskAt(98);
        assertThat(flaky.writeRefusal()).isPresent();

        readFailure.set(new IOException("file system gone"));
        diskAt(10);
        assertThat(flaky.writeRefusal()).isPresent(); // still the 98 % reading

        DiskGuard neverRead = new DiskGuard(
                DATA,
                95,
                () -> {
                    throw new IOException("no such file system");
                },
                clock::get);
        assertThat(neverRead.usage()).isEmpty();
        assertThat(neverRead.writeRefusal()).isEmpty(); // no reading: writes allowed
    }

    @Test
    void reportsUsageAsMetrics() {
        diskAt(96.5);
        MetricsRegistry registry = new MetricsRegistry();
        new NodeMetrics(registry).disk(guard);
        failure(kv.put(b("a"), b("1")));

        String text = registry.scrape();
        assertThat(sample(text, "aspen_disk_total_bytes")).isEqualTo(100.0 * GIB);
        assertThat(sample(text, "aspen_disk_used_bytes"))
                .isEqualTo((double) percentUsed(96.5).usedBytes());
        assertThat(sample(text, "aspen_disk_used_ratio")).isCloseTo(0.965, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(sample(text, "aspen_disk_write_limit_ratio")).isEqualTo(0.95);
        assertThat(sample(text, "aspen_disk_writes_refused_total")).isEqualTo(1);
    }

    @Test
    void countsFullnessAsDfDoesLeavingReservedBlocksOut() {
        // df on a shared volume: Size 252G, Used 91G, Avail 12G, Use% 89% -- 149G neither used nor usable.
        DiskGuard.Usage usage = new DiskGuard.Usage(252 * GIB, 161 * GIB, 12 * GIB);
        assertThat(usage.usedBytes()).isEqualTo(91 * GIB);
        assertThat(usage.usedPercent()).isCloseTo(88.35, org.assertj.core.data.Offset.offset(0.01));

        disk.set(usage);
        clock.addAndGet(SECOND);
        join(kv.put(b("c"), b("3")));

        disk.set(new DiskGuard.Usage(252 * GIB, 150 * GIB, 1 * GIB)); // used 102G, 1G left: 99.0%
        clock.addAndGet(SECOND);
        assertThat(failure(kv.put(b("d"), b("4"))).getMessage()).contains("99.0% full");
        assertThatThrownBy(() -> new DiskGuard.Usage(1, -1, 0)).hasMessageContaining("free -1");
    }

    @Test
    void readsARealFileSystem() throws IOException {
        DiskGuard real = DiskGuard.forDataDir(dir, 100);
        assertThat(real.usage()).hasValueSatisfying(u -> {
            assertThat(u.totalBytes()).isPositive();
            assertThat(u.usedBytes()).isBetween(0L, u.totalBytes());
        });
        assertThat(real.writeRefusal()).isEmpty();
        assertThatThrownBy(() -> DiskGuard.forDataDir(dir, 0)).hasMessageContaining("must be 1..100, was 0");
    }

    private static final class NoEvents implements dev.aspen.kv.WatchListener {
        @Override
        public void onEvents(List<dev.aspen.kv.WatchEvent> events) {}

        @Override
        public void onCancelled(KvException reason) {}
    }
}
