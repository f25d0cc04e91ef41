package dev.aspen.mesh.loadgen;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * Receives a running benchmark's state every {@link #interval()}, on the load generator's progress
 * thread. Implementations must not block for long.
 */
public interface Progress {
    /** How often {@link #update} is called. */
    Duration interval();

    /** The state now. */
    void update(Snapshot snapshot);

    /** The run ended (successfully or not); called once, after the last update. */
    void finish();

    /**
     * The state of a run.
     *
     * @param phase {@code prefill}, {@code warm-up} or {@code measure}
     * @param seconds since the phase started
     * @param ops successful operations in the phase so far
     * @param errors failed operations in the phase so far
     * @param opsPerSecond successful operations per second since the previous update
     * @param p99Millis the 99th percentile latency since the previous update
     */
    record Snapshot(String phase, double seconds, long ops, long errors, double opsPerSecond, double p99Millis) {
        String line() {
            return String.format(
                    "%-8s %6.1f s  %,12d ops  %,10.0f ops/s  p99 %8.3f ms  %d errors",
                    phase, seconds, ops, opsPerSecond, p99Millis, errors);
        }
    }

    /** Reports nothing. */
    static Progress none() {
        return new Progress() {
            @Override
            public Duration interval() {
                return Duration.ofHours(1);
            }

            @Override
            public void update(Snapshot snapshot) {}

            @Override
            public void finish() {}
        };
    }

    /**
     * Writes to {@code out}: on a terminal one line rewritten every second, else a plain line every
     * 5 seconds (for logs and pipes).
     */
    static Progress printer(PrintWriter out, boolean terminal) {
        return new Progress() {
            private boolean pending;

            @Override
            public Duration interval() {
                return terminal ? Duration.ofSeconds(1) : Duration.ofSeconds(5);
            }

            @Override
            public synchronized void update(Snapshot snapshot) {
                if (terminal) {
                    out.print("\r" + snapshot.line() + "\u001b[K");
                    pending = true;
                } else {
                    out.println(snapshot.line());
                }
                out.flush();
            }

            @Override
            public synchronized void finish() {
                if (pending) {
                    out.println();
                    out.flush();
                }
            }
        };
    }
}
