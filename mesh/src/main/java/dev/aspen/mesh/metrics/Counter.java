package dev.aspen.mesh.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A monotonic count, made by {@link MetricsRegistry#counter}. Thread-safe and lock-free: {@link
 * #inc()} and {@link #add(long)} never block.
 */
public final class Counter {
    private final LongAdder value = new LongAdder();

    Counter() {}

    /** Adds one. */
    public void inc() {
        value.increment();
    }

    /**
     * Adds {@code amount}.
     *
     * @throws IllegalArgumentException if {@code amount} is negative (a counter never goes down)
     */
    public void add(long amount) {
        if (amount < 0) {
            throw new IllegalArgumentException("a counter only goes up; cannot add " + amount);
        }
        value.add(amount);
    }

    /** The current count. */
    public long value() {
        return value.sum();
    }
}
