package dev.aspen.kv;

import static dev.aspen.kv.Fixtures.b;
import static dev.aspen.kv.Fixtures.join;
import static dev.aspen.kv.Fixtures.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchTest {
    @TempDir
    Path dir;

    KvStateMachine machine;
    DirectCommandLog log;
    KeyValueStore kv;
    ExecutorService pool;

    void open(KvConfig.Builder config) {
        machine = KvStateMachine.open(config.build());
        log = new DirectCommandLog(machine);
        kv = KeyValueStore.over(log, machine, null);
    }

    @AfterEach
    void close() throws InterruptedException {
        log.close();
        machine.close();
        if (pool != null) {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    static final class Recorder implements WatchListener {
        final List<WatchEvent> events = new CopyOnWriteArrayList<>();
        final AtomicReference<KvException> cancelled = new AtomicReference<>();

        @Override
        public void onEvents(List<WatchEvent> batch) {
            events.addAll(batch);
        }

        @Override
        public void onCancelled(KvException reason) {
            cancelled.set(reason);
        }
    }

    @Test
    void prefixWatchSeesPutsAndDeletesInRevisionOrderWithPrevKv() {
        open(Fixtures.small(dir));
        Recorder r = new Recorder();
        join(kv.watch(KeyRange.prefix(b("app/")), 0, true, r));

        join(kv.put(b("app/a"), b("1")));
        join(kv.put(b("other"), b("x")));
        join(kv.put(b("app/a"), b("2")));
        join(kv.txn(
                List.of(),
                List.of(new TxnOp.Put(b("app/b"), b("3"), 0, false), new TxnOp.Delete(KeyRange.key(b("app/a")), false)),
                List.of()));

        assertThat(r.events).extracting(WatchEvent::revision).containsExactly(1L, 3L, 4L, 4L);
        assertThat(r.events)
                .extracting(WatchEvent::type)
                .containsExactly(WatchEvent.Type.PUT, WatchEvent.Type.PUT, WatchEvent.Type.PUT, WatchEvent.Type.DELETE);
        assertThat(s(r.events.get(1).prevKv().orElseThrow().value())).isEqualTo("1");
        assertThat(r.events.get(0).prevKv()).isEmpty();
        assertThat(s(r.events.get(3).kv().key())).isEqualTo("app/a");
        assertThat(r.events.get(3).kv().modRevision()).isEqualTo(4);
    }

    @Test
    void watchFromOldRevisionReplaysHistoryThenLiveEvents() {
        open(Fixtures.small(dir));
        for (int i = 1; i <= 5; i++) {
            join(kv.put(b("k"), b("v" + i)));
        }
        Recorder r = new Recorder();
        join(kv.watch(KeyRange.key(b("k")), 3, false, r));
        join(kv.put(b("k"), b("v6")));

        assertThat(r.events).extracting(e -> s(e.kv().value())).containsExactly("v3", "v4", "v5", "v6");
        assertThat(r.events).allSatisfy(e -> assertThat(e.prevKv()).isEmpty());
    }

    @Test
    void watchOlderThanHistoryFailsCompactedWithOldestRevision() {
        open(Fixtures.small(dir).historyRevisions(3));
        for (int i = 1; i <= 10; i++) {
            join(kv.put(b("k"), b("v" + i)));
        }
        assertThatThrownBy(() -> join(kv.watch(KeyRange.key(b("k")), 7, false, new Recorder())))
                .isInstanceOfSatisfying(KvException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.COMPACTED);
                    assertThat(e.oldestRevision()).isEqualTo(8);
                });
        Recorder r = new Recorder();
        join(kv.watch(KeyRange.key(b("k")), 8, false, r));
        assertThat(r.events).extracting(WatchEvent::revision).containsExactly(8L, 9L, 10L);
    }

    @Test
    void historyIsAlsoBoundedInBytes() {
        open(Fixtures.small(dir).historyBytes(10_000));
        for (int i = 1; i <= 10; i++) {
            join(kv.put(b("k" + i), new byte[3_000]));
        }
        assertThatThrownBy(() -> join(kv.watch(KeyRange.prefix(b("k")), 1, false, new Recorder())))
                .isInstanceOfSatisfying(
                        KvException.class, e -> assertThat(e.oldestRevision()).isBetween(8L, 10L));
    }

    @Test
    void slowWatcherIsCancelledWithReasonAfterItsQueuedEvents() {
        pool = Executors.newSingleThreadExecutor();
        open(Fixtures.small(dir).watchQueueCapacity(4).watchExecutor(pool));
        CountDownLatch release = new CountDownLatch(1);
        List<WatchEvent> seen = new CopyOnWriteArrayList<>();
        AtomicReference<KvException> cancelled = new AtomicReference<>();
        join(kv.watch(KeyRange.prefix(b("")), 0, false, new WatchListener() {
            @Override
            public void onEvents(List<WatchEvent> events) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                seen.addAll(events);
            }

            @Override
            public void onCancelled(KvException reason) {
                cancelled.set(reason);
            }
        }));
        Recorder healthy = new Recorder();
        join(kv.watch(KeyRange.key(b("k0")), 0, false, healthy));

        for (int i = 0; i < 10; i++) {
            join(kv.put(b("k" + i), b("v")));
        }
        release.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> cancelled.get() != null);
        assertThat(cancelled.get().code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(cancelled.get().getMessage()).contains("fell behind");
        assertThat(seen).extracting(WatchEvent::revision).startsWith(1L).hasSizeLessThanOrEqualTo(5);
        assertThat(seen).extracting(WatchEvent::revision).isSorted();
        await().atMost(Duration.ofSeconds(10)).until(() -> healthy.events.size() == 1);
        assertThat(healthy.cancelled.get()).isNull();
    }

    @Test
    void oneRevisionLargerThanTheQueueIsDeliveredToAWatcherThatKeepsUp() {
        open(Fixtures.small(dir).watchQueueCapacity(2));
        Recorder r = new Recorder();
        join(kv.watch(KeyRange.prefix(b("k")), 0, false, r));
        List<TxnOp.Put> puts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            puts.add(new TxnOp.Put(b("k" + i), b("v"), 0, false));
        }
        join(kv.putAll(puts));
        join(kv.delete(KeyRange.prefix(b("k")), false));

        assertThat(r.events).hasSize(10);
        assertThat(r.cancelled.get()).isNull();
    }

    @Test
    void watchRegisteredWhileWritesFlowSeesEveryRevisionOnceInOrder() throws Exception {
        pool = Executors.newFixedThreadPool(2);
        open(Fixtures.small(dir).watchExecutor(pool).watchQueueCapacity(10_000));
        int writes = 2_000;
        int holdBefore = 1_500;
        // The writer does not wait for the watches until write holdBefore, so registration races
        // with writes 100..holdBefore; the hold guarantees the watch from the next revision (start 0)
        // is registered before the writes end, or under load it could register after the last write
        // and rightly see no event at all.
        CountDownLatch registered = new CountDownLatch(1);
        java.util.concurrent.CompletableFuture<?> writer = java.util.concurrent.CompletableFuture.runAsync(() -> {
            for (int i = 0; i < writes; i++) {
                if (i == holdBefore) {
                    awaitLatch(registered);
                }
                join(kv.put(b("k" + (i % 50)), b("v" + i)));
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> join(kv.get(b("k0"))).revision() >= 100);
        List<Recorder> recorders = new ArrayList<>();
        for (long start : new long[] {50, 0}) {
            Recorder r = new Recorder();
            join(kv.watch(KeyRange.prefix(b("k")), start, false, r));
            recorders.add(r);
        }
        registered.countDown();
        writer.get(60, TimeUnit.SECONDS);

        for (Recorder r : recorders) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(r.events)
                    .as("events %d, cancelled %s", r.events.size(), r.cancelled.get())
                    .isNotEmpty()
                    .last()
                    .extracting(WatchEvent::revision)
                    .isEqualTo((long) writes));
            List<Long> revisions = r.events.stream().map(WatchEvent::revision).toList();
            long first = revisions.get(0);
            assertThat(revisions).hasSize((int) (writes - first + 1));
            for (int i = 0; i < revisions.size(); i++) {
                assertThat(revisions.get(i)).isEqualTo(first + i);
            }
            assertThat(r.cancelled.get()).isNull();
        }
        assertThat(recorders.get(0).events.get(0).revision()).isEqualTo(50);
        assertThat(recorders.get(1).events.get(0).revision()).isBetween(101L, holdBefore + 1L);
    }

    @Test
    void watchFromTheNextRevisionRegisteredAfterTheLastWriteSeesOnlyLaterWrites() {
        pool = Executors.newFixedThreadPool(2);
        open(Fixtures.small(dir).watchExecutor(pool));
        for (int i = 1; i <= 20; i++) {
            join(kv.put(b("k"), b("v" + i)));
        }
        Recorder fromNext = new Recorder();
        Recorder fromPast = new Recorder();
        join(kv.watch(KeyRange.prefix(b("k")), 0, false, fromNext));
        join(kv.watch(KeyRange.prefix(b("k")), 10, false, fromPast));

        await().atMost(Duration.ofSeconds(10)).until(() -> fromPast.events.size() == 11);
        assertThat(fromNext.events).isEmpty();
        join(kv.put(b("k"), b("v21")));
        await().atMost(Duration.ofSeconds(10)).until(() -> fromNext.events.size() == 1);
        assertThat(fromNext.events.get(0).revision()).isEqualTo(21);
        await().atMost(Duration.ofSeconds(10)).until(() -> fromPast.events.size() == 12);
        assertThat(fromPast.events)
                .extracting(WatchEvent::revision)
                .startsWith(10L)
                .endsWith(21L)
                .isSorted();
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("watches were not registered within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void watcherLimitAndCloseAreEnforced() {
        open(Fixtures.small(dir).maxWatchers(2));
        Recorder first = new Recorder();
        Watch w1 = join(kv.watch(KeyRange.key(b("a")), 0, false, first));
        join(kv.watch(KeyRange.key(b("a")), 0, false, new Recorder()));
        KeyValueStoreTest.assertCode(kv.watch(KeyRange.key(b("a")), 0, false, new Recorder()), ErrorCode.TOO_LARGE);

        w1.close();
        join(kv.watch(KeyRange.key(b("a")), 0, false, new Recorder()));
        join(kv.put(b("a"), b("1")));
        assertThat(first.events).isEmpty();
        assertThat(first.cancelled.get()).isNull();
    }

    @Test
    void snapshotInstallCancelsWatchersAsCompacted() {
        open(Fixtures.small(dir));
        join(kv.put(b("a"), b("1")));
        List<byte[]> chunks = new ArrayList<>();
        join(log.submit(() -> {
            machine.takeSnapshot(machine.appliedIndex(), 1024, chunks::add);
            return null;
        }));
        Recorder r = new Recorder();
        join(kv.watch(KeyRange.key(b("a")), 0, false, r));
        join(kv.put(b("a"), b("2")));

        try (KvStateMachine other =
                KvStateMachine.open(Fixtures.small(dir.resolve("other")).build())) {
            Recorder onOther = new Recorder();
            other.watch(KeyRange.key(b("a")), 0, false, onOther);
            other.installSnapshot(1, chunks);
            assertThat(onOther.cancelled.get().code()).isEqualTo(ErrorCode.COMPACTED);
            assertThat(onOther.cancelled.get().oldestRevision()).isEqualTo(2);
        }
        assertThat(r.events).hasSize(1);
    }
}
