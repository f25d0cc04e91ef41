package dev.aspen.mesh.loadgen;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The counters of one phase. Completions record from any thread (wait-free HdrHistogram
 * {@link Recorder}); the progress thread and the final result drain the recorder into the phase's
 * histogram under this object's lock.
 */
final class PhaseStats {
    final String phase;
    private final long started = System.nanoTime();
    private final Recorder recorder = new Recorder(3);
    private final LongAdder ops = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Map<String, LongAdder> errorCodes = new ConcurrentHashMap<>();
    private final Histogram total = new Histogram(3);
    private Histogram interval;
    private long lastTick = started;

    PhaseStats(String phase) {
        this.phase = phase;
        total.setAutoResize(true);
    }

    /** One completed operation: its latency when it succeeded, its error code when not. */
    void record(Target target, long latencyNanos, Throwable failure) {
        if (failure == null) {
            recorder.recordValue(Math.max(1, latencyNanos));
            ops.increment();
        } else {
            errors.increment();
            errorCodes
                    .computeIfAbsent(target.errorCode(failure), c -> new LongAdder())
                    .increment();
        }
    }

    synchronized Progress.Snapshot snapshot() {
        long now = System.nanoTime();
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        double seconds = Math.max(1e-9, (now - lastTick) / 1e9);
        lastTick = now;
        return new Progress.Snapshot(
                phase,
                (now - started) / 1e9,
                ops.sum(),
                errors.sum(),
                interval.getTotalCount() / seconds,
                interval.getValueAtPercentile(99) / 1e6);
    }

    synchronized BenchResult result(String label, LoadSpec spec, double seconds) {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        Map<String, Long> codes = new TreeMap<>();
        errorCodes.forEach((code, count) -> codes.put(code, count.sum()));
        return new BenchResult(label, spec, seconds, ops.sum(), errors.sum(), codes, BenchResult.Latency.of(total));
    }
}
