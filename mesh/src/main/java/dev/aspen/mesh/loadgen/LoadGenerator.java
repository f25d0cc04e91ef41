package dev.aspen.mesh.loadgen;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drives a store with one {@link LoadSpec}: opens {@code clients} connections, writes the keyspace
 * once for read workloads (prefill), runs the warm-up, then the measured phase, and returns what
 * the measured phase did. One thread issues operations; a {@link Semaphore} of {@code inflight}
 * permits bounds the operations outstanding, a permit returning when an operation's future
 * completes. Every phase waits for its outstanding operations before the next starts, so nothing
 * of the prefill or warm-up is counted.
 */
public final class LoadGenerator {
    private static final long NO_DEADLINE = Long.MAX_VALUE;
    /** How long past the op timeout a phase waits for its last operations (see {@link #runPhase}). */
    private static final Duration DRAIN_SLACK = Duration.ofSeconds(10);

    private final LoadSpec spec;
    private final List<Target> targets;
    private final Progress progress;
    private final Semaphore permits;
    private final SplittableRandom random;
    private final byte[] value;
    private final Map<Long, CompletableFuture<Void>> watched = new ConcurrentHashMap<>();
    private final AtomicLong watchIds = new AtomicLong();
    private final AtomicReference<PhaseStats> current = new AtomicReference<>();
    private long issued;

    private LoadGenerator(LoadSpec spec, List<Target> targets, Progress progress) {
        this.spec = spec;
        this.targets = targets;
        this.progress = progress;
        this.permits = new Semaphore(spec.inflight());
        this.random = new SplittableRandom(spec.seed());
        this.value = new byte[spec.valueSize()];
        new SplittableRandom(spec.seed() + 1).nextBytes(value);
    }

    /**
     * Runs {@code spec} against connections from {@code factory} and closes them. Blocks for the
     * whole run.
     *
     * @param label the store's name in the result ({@code aspen}, {@code etcd})
     * @throws Exception when a connection cannot be opened or a watch cannot be registered
     * @throws IllegalStateException when operations stay outstanding past twice the operation
     *     timeout (a {@link Target} that never completes a future)
     */
    public static BenchResult run(String label, LoadSpec spec, Target.Factory factory, Progress progress)
            throws Exception {
        List<Target> targets = new ArrayList<>();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "loadgen-progress");
            thread.setDaemon(true);
            return thread;
        });
        try {
            for (int i = 0; i < spec.clients(); i++) {
                targets.add(factory.open());
            }
            var generator = new LoadGenerator(spec, targets, progress);
            long every = progress.interval().toNanos();
            ticker.scheduleAtFixedRate(generator::tick, every, every, TimeUnit.NANOSECONDS);
            return generator.execute(label);
        } finally {
            ticker.shutdownNow();
            progress.finish();
            closeAll(targets);
        }
    }

    private BenchResult execute(String label) throws Exception {
        List<AutoCloseable> watches = spec.workload() == Workload.WATCH ? openWatches() : List.of();
        try {
            if (spec.workload().prefills()) {
                runPhase(new PhaseStats("prefill"), spec.keyspace(), NO_DEADLINE, this::prefillOp);
            }
            if (!spec.warmup().isZero()) {
                runPhase(
                        new PhaseStats("warm-up"),
                        Long.MAX_VALUE,
                        deadline(spec.warmup().toNanos()),
                        this::issue);
            }
            var measured = new PhaseStats("measure");
            long start = System.nanoTime();
            long deadline = spec.duration().map(d -> deadline(d.toNanos())).orElse(NO_DEADLINE);
            runPhase(measured, spec.total().orElse(Long.MAX_VALUE), deadline, this::issue);
            double seconds = (System.nanoTime() - start) / 1e9;
            return measured.result(label, spec, seconds);
        } finally {
            closeAll(watches);
        }
    }

    private List<AutoCloseable> openWatches() throws Exception {
        List<AutoCloseable> watches = new ArrayList<>();
        try {
            for (Target target : targets) {
                watches.add(target.watch(LoadSpec.KEY_PREFIX.getBytes(StandardCharsets.UTF_8), this::onWatchedPut)
                        .get(spec.opTimeout().toNanos(), TimeUnit.NANOSECONDS));
            }
            return watches;
        } catch (Exception e) {
            closeAll(watches);
            throw e;
        }
    }

    /** One operation of a phase: the {@code seq}-th operation on {@code target}. */
    @FunctionalInterface
    private interface Op {
        CompletableFuture<?> issue(Target target, long seq);
    }

    /**
     * Issues operations until {@code maxOps} or {@code deadline} (at least one), then waits for all
     * of them. Only the issuing thread calls this.
     */
    private void runPhase(PhaseStats stats, long maxOps, long deadline, Op op) throws InterruptedException {
        current.set(stats);
        long timeoutNanos = spec.opTimeout().toNanos();
        for (long seq = 0; seq < maxOps && (seq == 0 || System.nanoTime() < deadline); ) {
            if (!permits.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                continue;
            }
            Target target = targets.get((int) (issued++ % targets.size()));
            long started = System.nanoTime();
            CompletableFuture<?> future;
            try {
                future = op.issue(target, seq);
            } catch (RuntimeException e) {
                future = CompletableFuture.failedFuture(e);
            }
            future.orTimeout(timeoutNanos, TimeUnit.NANOSECONDS).whenComplete((result, failure) -> {
                stats.record(target, System.nanoTime() - started, failure);
                permits.release();
            });
            seq++;
        }
        // Each operation ends by its op timeout at the latest; the slack only covers a starved
        // timer thread on a busy machine (a 20 ms timeout once fired 40+ ms late under load).
        long drainNanos = timeoutNanos + DRAIN_SLACK.toNanos();
        if (!permits.tryAcquire(spec.inflight(), drainNanos, TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException((spec.inflight() - permits.availablePermits())
                    + " operations still outstanding " + TimeUnit.NANOSECONDS.toMillis(drainNanos)
                    + " ms after the " + stats.phase + " phase ended, past their op timeout");
        }
        permits.release(spec.inflight());
        tick();
    }

    private CompletableFuture<?> prefillOp(Target target, long seq) {
        return target.put(key(seq), value);
    }

    private CompletableFuture<?> issue(Target target, long seq) {
        byte[] key = key(random.nextInt(spec.keyspace()));
        return switch (spec.workload()) {
            case PUT -> target.put(key, value);
            case GET -> target.get(key, spec.consistency());
            case MIXED ->
                random.nextDouble() < spec.readRatio() ? target.get(key, spec.consistency()) : target.put(key, value);
            case TXN -> target.txn(key, value);
            case WATCH -> watchedPut(target, key);
        };
    }

    /** Puts a value carrying a fresh id; completes when a watch delivers that id. */
    private CompletableFuture<?> watchedPut(Target target, byte[] key) {
        long id = watchIds.incrementAndGet();
        byte[] tagged = Arrays.copyOf(value, value.length);
        ByteBuffer.wrap(tagged).putLong(0, id);
        var delivered = new CompletableFuture<Void>();
        watched.put(id, delivered);
        delivered.whenComplete((r, e) -> watched.remove(id));
        target.put(key, tagged).whenComplete((r, e) -> {
            if (e != null) {
                delivered.completeExceptionally(e);
            }
        });
        return delivered;
    }

    private void onWatchedPut(byte[] key, byte[] putValue) {
        if (putValue.length >= Long.BYTES) {
            CompletableFuture<Void> delivered =
                    watched.get(ByteBuffer.wrap(putValue).getLong(0));
            if (delivered != null) {
                delivered.complete(null);
            }
        }
    }

    /** The key numbered {@code index}: the prefix, then the number zero-padded to the key size. */
    private byte[] key(long index) {
        byte[] key = new byte[spec.keySize()];
        Arrays.fill(key, (byte) '0');
        byte[] prefix = LoadSpec.KEY_PREFIX.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(prefix, 0, key, 0, prefix.length);
        byte[] digits = Long.toString(index).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, key, key.length - digits.length, digits.length);
        return key;
    }

    private void tick() {
        PhaseStats stats = current.get();
        if (stats != null) {
            progress.update(stats.snapshot());
        }
    }

    private static long deadline(long nanosFromNow) {
        return System.nanoTime() + nanosFromNow;
    }

    private static void closeAll(List<? extends AutoCloseable> resources) throws Exception {
        Exception first = null;
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
