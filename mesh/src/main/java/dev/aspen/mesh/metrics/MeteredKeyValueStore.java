package dev.aspen.mesh.metrics;

import dev.aspen.kv.ForwardingKeyValueStore;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvOperation;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.Watch;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.WatchListener;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * A {@link KeyValueStore} that counts and times every call to the store it wraps, into:
 *
 * <ul>
 *   <li>{@code aspen_requests_total{op,outcome}}: calls by operation ({@code put}, {@code get},
 *       {@code delete}, {@code put_all}, {@code scan}, {@code txn}, {@code lease_grant}, {@code
 *       lease_keepalive}, {@code lease_revoke}, {@code lease_ttl}, {@code watch}) and outcome
 *       ({@code ok}, an {@link dev.aspen.kv.ErrorCode} wire name, or {@code internal} for a failure
 *       that is not a {@link KvException});
 *   <li>{@code aspen_request_duration_seconds{op}}: time from the call to the future's completion;
 *   <li>{@code aspen_reads_total{op,consistency}}: reads ({@code get}, {@code scan}, {@code
 *       lease_ttl}) by consistency ({@code linearizable}, {@code lease}, {@code stale});
 *   <li>{@code aspen_watches_open}: watches registered through this store and not yet closed or
 *       cancelled.
 * </ul>
 *
 * <p>Results and failures pass through unchanged (the same future is returned, except for {@code
 * watch}, whose {@link Watch} is wrapped to notice its close). Adds no blocking. One instance per
 * registry: the constructor registers the metrics.
 */
public final class MeteredKeyValueStore extends ForwardingKeyValueStore {
    /** The outcome label of a failure that is not a {@link KvException}. */
    public static final String INTERNAL = "internal";

    private static final String[] CONSISTENCY_LABELS = Arrays.stream(ReadConsistency.Mode.values())
            .map(mode -> mode.name().toLowerCase(Locale.ROOT))
            .toArray(String[]::new);

    private final MetricsRegistry.Labelled<Counter> requests;
    private final MetricsRegistry.Labelled<Histogram> durations;
    private final MetricsRegistry.Labelled<Counter> reads;
    private final LongAdder openWatches = new LongAdder();

    /** Wraps {@code delegate}, registering the metrics above in {@code registry}. */
    public MeteredKeyValueStore(KeyValueStore delegate, MetricsRegistry registry) {
        super(delegate);
        this.requests = registry.counter(
                "aspen_requests_total",
                "Key/value requests by operation and outcome (ok or an error code).",
                List.of("op", "outcome"));
        this.durations = registry.histogram(
                "aspen_request_duration_seconds",
                "Key/value request latency by operation, until the reply (success or error).",
                MetricsRegistry.latencyBucketsSeconds(),
                List.of("op"));
        this.reads = registry.counter(
                "aspen_reads_total", "Key/value reads by operation and consistency.", List.of("op", "consistency"));
        registry.gauge("aspen_watches_open", "Watches registered and not yet closed or cancelled.", () ->
                (double) openWatches.sum());
    }

    @Override
    protected <T> CompletableFuture<T> around(
            KvOperation op, ReadConsistency consistency, Function<KeyValueStore, CompletableFuture<T>> call) {
        if (consistency != null) {
            reads.labels(op.label(), CONSISTENCY_LABELS[consistency.mode().ordinal()])
                    .inc();
        }
        long start = System.nanoTime();
        CompletableFuture<T> result;
        try {
            result = call.apply(delegate());
        } catch (RuntimeException e) {
            record(op, start, e);
            throw e;
        }
        result.whenComplete((value, failure) -> record(op, start, failure));
        return result;
    }

    private void record(KvOperation op, long startNanos, Throwable failure) {
        durations.labels(op.label()).observeNanos(System.nanoTime() - startNanos);
        requests.labels(op.label(), outcome(failure)).inc();
    }

    /** {@code ok}, the error code's wire name, or {@link #INTERNAL}. */
    static String outcome(Throwable failure) {
        if (failure == null) {
            return "ok";
        }
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return cause instanceof KvException kv ? kv.code().wireName() : INTERNAL;
    }

    @Override
    public CompletableFuture<Watch> watch(KeyRange range, long startRevision, boolean prevKv, WatchListener listener) {
        if (listener == null) {
            return super.watch(range, startRevision, prevKv, null); // the delegate reports the bad argument
        }
        OpenWatch tracker = new OpenWatch(listener);
        return super.watch(range, startRevision, prevKv, tracker).thenApply(tracker::opened);
    }

    /** Keeps {@code aspen_watches_open} right whichever comes first: registration or the end. */
    private final class OpenWatch implements WatchListener {
        private static final int NEW = 0;
        private static final int OPEN = 1;
        private static final int ENDED = 2;

        private final WatchListener listener;
        private final AtomicInteger state = new AtomicInteger(NEW);

        OpenWatch(WatchListener listener) {
            this.listener = listener;
        }

        Watch opened(Watch watch) {
            if (state.compareAndSet(NEW, OPEN)) {
                openWatches.increment();
            }
            return new Watch() {
                @Override
                public long id() {
                    return watch.id();
                }

                @Override
                public void close() {
                    ended();
                    watch.close();
                }
            };
        }

        private void ended() {
            if (state.getAndSet(ENDED) == OPEN) {
                openWatches.decrement();
            }
        }

        @Override
        public void onEvents(List<WatchEvent> events) {
            listener.onEvents(events);
        }

        @Override
        public void onCancelled(KvException reason) {
            ended();
            listener.onCancelled(reason);
        }
    }
}
