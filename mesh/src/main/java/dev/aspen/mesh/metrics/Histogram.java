package dev.aspen.mesh.metrics;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A distribution of observations (durations in seconds) over fixed buckets, made by {@link
 * MetricsRegistry#histogram}. Thread-safe and lock-free: {@link #observe(double)} never blocks.
 */
public final class Histogram {
    private final double[] upperBounds;
    /** Non-cumulative counts; the last slot is the +Inf bucket. */
    private final LongAdder[] buckets;

    private final DoubleAdder sum = new DoubleAdder();

    Histogram(double[] upperBounds) {
        this.upperBounds = upperBounds;
        this.buckets = new LongAdder[upperBounds.length + 1];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Records one observation; NaN is ignored (it has no bucket). */
    public void observe(double value) {
        if (Double.isNaN(value)) {
            return;
        }
        int i = 0;
        while (i < upperBounds.length && value > upperBounds[i]) {
            i++;
        }
        buckets[i].increment();
        sum.add(value);
    }

    /** Records a duration measured with {@link System#nanoTime()}, in seconds. */
    public void observeNanos(long nanos) {
        observe(nanos / 1e9);
    }

    /** Observations so far. */
    public long count() {
        long total = 0;
        for (LongAdder bucket : buckets) {
            total += bucket.sum();
        }
        return total;
    }

    /** Sum of the observations so far. */
    public double sum() {
        return sum.sum();
    }

    /** The bucket upper bounds, without +Inf (shared: do not modify). */
    double[] upperBounds() {
        return upperBounds;
    }

    /**
     * Cumulative counts, one per upper bound and a last one for +Inf (which equals the count), read
     * in one pass so the +Inf bucket and the count agree.
     */
    long[] cumulativeCounts() {
        long[] cumulative = new long[buckets.length];
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            cumulative[i] = running;
        }
        return cumulative;
    }
}
