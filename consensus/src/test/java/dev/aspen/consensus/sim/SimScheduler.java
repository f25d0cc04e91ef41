package dev.aspen.consensus.sim;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * A single-threaded discrete-event loop on virtual time. Events run in (time, sequence) order, so
 * two events at the same instant run in the order they were scheduled: one seed gives one run.
 * Every loop is bounded by an event budget so a livelock fails instead of hanging.
 */
public final class SimScheduler {
    private record Event(long timeNanos, long sequence, Runnable task) {}

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) ->
            a.timeNanos != b.timeNanos ? Long.compare(a.timeNanos, b.timeNanos) : Long.compare(a.sequence, b.sequence));
    private final long maxEvents;
    private long nowNanos;
    private long sequence;
    private long executed;

    /** A scheduler that fails once more than {@code maxEvents} events have run. */
    public SimScheduler(long maxEvents) {
        this.maxEvents = maxEvents;
    }

    /** The virtual time in nanoseconds since the start. */
    public long nowNanos() {
        return nowNanos;
    }

    /** The virtual time in milliseconds since the start. */
    public long nowMillis() {
        return nowNanos / 1_000_000;
    }

    /** Events run so far. */
    public long executedEvents() {
        return executed;
    }

    /** Runs {@code task} after {@code delayNanos} (0: after the events already due now). */
    public void after(long delayNanos, Runnable task) {
        queue.add(new Event(nowNanos + Math.max(0, delayNanos), sequence++, task));
    }

    /** Runs events until virtual time {@code timeNanos} (inclusive), then sets the clock to it. */
    public void runUntil(long timeNanos) {
        while (!queue.isEmpty() && queue.peek().timeNanos <= timeNanos) {
            step();
        }
        nowNanos = Math.max(nowNanos, timeNanos);
    }

    /** Advances virtual time by {@code millis}, running every event due meanwhile. */
    public void runFor(long millis) {
        runUntil(nowNanos + millis * 1_000_000);
    }

    /**
     * Runs events until {@code condition} holds (checked after every event) or {@code maxMillis} of
     * virtual time pass.
     *
     * @return whether the condition held
     */
    public boolean runUntil(BooleanSupplier condition, long maxMillis) {
        long deadline = nowNanos + maxMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (queue.isEmpty() || queue.peek().timeNanos > deadline) {
                nowNanos = Math.max(nowNanos, deadline);
                return condition.getAsBoolean();
            }
            step();
        }
        return true;
    }

    private void step() {
        Event event = queue.poll();
        nowNanos = event.timeNanos;
        if (++executed > maxEvents) {
            throw new IllegalStateException(
                    "event budget of " + maxEvents + " exhausted at virtual time " + nowMillis() + " ms (livelock?)");
        }
        event.task.run();
    }

    /** A {@link Clock} reading this scheduler's virtual time (UTC, starting at the epoch). */
    public Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochSecond(0, nowNanos);
            }

            @Override
            public long millis() {
                return nowMillis();
            }
        };
    }
}
