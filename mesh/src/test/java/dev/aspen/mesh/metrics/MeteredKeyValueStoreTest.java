package dev.aspen.mesh.metrics;

import static dev.aspen.mesh.metrics.LocalStore.b;
import static dev.aspen.mesh.metrics.LocalStore.failure;
import static dev.aspen.mesh.metrics.LocalStore.join;
import static dev.aspen.mesh.metrics.LocalStore.sample;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KvException;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.Watch;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.WatchListener;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeteredKeyValueStoreTest {
    @TempDir
    Path dir;

    LocalStore local;
    MetricsRegistry registry;
    MeteredKeyValueStore kv;

    @BeforeEach
    void open() {
        local = new LocalStore(dir);
        registry = new MetricsRegistry();
        kv = new MeteredKeyValueStore(local.store, registry);
    }

    @AfterEach
    void close() {
        local.close();
    }

    @Test
    void countsRequestsByOperationAndOutcome() {
        join(kv.put(b("a"), b("1")));
        join(kv.put(b("b"), b("2")));
        join(kv.putAll(List.of(new TxnOp.Put(b("c"), b("3"), 0, false))));
        join(kv.delete(KeyRange.key(b("b")), false));
        assertThat(failure(kv.put(new byte[0], b("x"))).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(failure(kv.leaseKeepAlive(424242)).code()).isEqualTo(ErrorCode.LEASE_NOT_FOUND);
        long lease = join(kv.leaseGrant(60)).id();
        join(kv.leaseRevoke(lease));
        join(kv.txn(List.of(), List.of(new TxnOp.Get(b("a"))), List.of()));

        String text = registry.scrape();
        assertThat(sample(text, "aspen_requests_total{op=\"put\",outcome=\"ok\"}"))
                .isEqualTo(2);
        assertThat(sample(text, "aspen_requests_total{op=\"put\",outcome=\"invalid_argument\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "aspen_requests_total{op=\"put_all\",outcome=\"ok\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "aspen_requests_total{op=\"delete\",outcome=\"ok\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "aspen_requests_total{op=\"lease_keepalive\",outcome=\"lease_not_found\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "aspen_requests_total{op=\"lease_grant\",outcome=\"ok\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "aspen_requests_total{op=\"lease_revoke\",outcome=\"ok\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "aspen_requests_total{op=\"txn\",outcome=\"ok\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "aspen_request_duration_seconds_count{op=\"put\"}"))
                .isEqualTo(3);
        assertThat(sample(text, "aspen_request_duration_seconds_bucket{op=\"put\",le=\"+Inf\"}"))
                .isEqualTo(3);
        assertThat(sample(text, "aspen_request_duration_seconds_sum{op=\"put\"}"))
                .isPositive();
    }

    @Test
    void splitsReadsByConsistency() {
        join(kv.put(b("a"), b("1")));
        join(kv.get(b("a")));
        join(kv.get(b("a"), ReadConsistency.LEASE));
        join(kv.get(b("missing"), ReadConsistency.stale()));
        join(kv.scan(KeyRange.prefix(b("")), 0, false, ReadConsistency.stale()));
        join(kv.leaseTimeToLive(join(kv.leaseGrant(30)).id(), ReadConsistency.LINEARIZABLE));

        String text = registry.scrape();
        assertThat(sample(text, "aspen_reads_total{op=\"get\",consistency=\"linearizable\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "aspen_reads_total{op=\"get\",consistency=\"lease\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "aspen_reads_total{op=\"get\",consistency=\"stale\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "aspen_reads_total{op=\"scan\",consistency=\"stale\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "aspen_reads_total{op=\"lease_ttl\",consistency=\"linearizable\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "aspen_requests_total{op=\"get\",outcome=\"ok\"}"))
                .isEqualTo(3);
        assertThat(text).doesNotContain("aspen_reads_total{op=\"put\"");
    }

    @Test
    void passesWatchesThroughAndCountsTheOpenOnes() {
        List<WatchEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        WatchListener listener = new WatchListener() {
            @Override
            public void onEvents(List<WatchEvent> events) {
                seen.addAll(events);
            }

            @Override
            public void onCancelled(KvException reason) {}
        };
        Watch first = join(kv.watch(KeyRange.prefix(b("w")), 0, false, listener));
        Watch second = join(kv.watch(KeyRange.key(b("w1")), 0, false, listener));
        assertThat(sample(registry.scrape(), "aspen_watches_open")).isEqualTo(2);

        join(kv.put(b("w1"), b("v")));
        assertThat(seen).hasSize(2); // synchronous watch delivery in LocalStore

        first.close();
        first.close(); // idempotent for the gauge too
        assertThat(sample(registry.scrape(), "aspen_watches_open")).isEqualTo(1);
        second.close();
        String text = registry.scrape();
        assertThat(sample(text, "aspen_watches_open")).isZero();
        assertThat(sample(text, "aspen_requests_total{op=\"watch\",outcome=\"ok\"}"))
                .isEqualTo(2);
    }

    @Test
    void namesTheOutcomeOfWrappedAndForeignFailures() {
        KvException notFound = KvException.of(ErrorCode.NOT_FOUND, "x");
        assertThat(MeteredKeyValueStore.outcome(null)).isEqualTo("ok");
        assertThat(MeteredKeyValueStore.outcome(new CompletionException(notFound)))
                .isEqualTo("not_found");
        assertThat(MeteredKeyValueStore.outcome(KvException.notLeader(null))).isEqualTo("not_leader");
        assertThat(MeteredKeyValueStore.outcome(new IllegalStateException())).isEqualTo("internal");
    }

    @Test
    void countsArgumentErrorsTheDelegateReports() {
        assertThat(failure(kv.get(null, ReadConsistency.LINEARIZABLE)).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(failure(kv.watch(KeyRange.key(b("k")), 0, false, null)).code())
                .isEqualTo(ErrorCode.INVALID_ARGUMENT);

        String text = registry.scrape();
        assertThat(sample(text, "aspen_requests_total{op=\"get\",outcome=\"invalid_argument\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "aspen_requests_total{op=\"watch\",outcome=\"invalid_argument\"}"))
                .isEqualTo(1);
        assertThat(sample(text, "aspen_watches_open")).isZero();
    }
}
