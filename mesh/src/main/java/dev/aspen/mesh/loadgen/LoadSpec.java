package dev.aspen.mesh.loadgen;

import java.time.Duration;
import java.util.Optional;

/**
 * One benchmark run, validated: build it with {@link #builder(Workload)}. A run is bounded either by
 * a number of measured operations ({@code total}) or by a duration, never unbounded; a warm-up of
 * {@code warmup} runs the same workload first and is left out of the results.
 *
 * @param workload what each operation does
 * @param clients connections opened to the store; operations go round-robin over them
 * @param inflight operations outstanding at once across all connections
 * @param total measured operations, when the run is bounded by count
 * @param duration measured time, when the run is bounded by time
 * @param warmup time the workload runs before measuring (zero: no warm-up)
 * @param keySize bytes per key (a fixed prefix and the key's number, zero-padded)
 * @param valueSize bytes per value
 * @param keyspace distinct keys, chosen uniformly
 * @param consistency how reads are served
 * @param readRatio for {@link Workload#MIXED}: the share of gets, 0 to 1
 * @param opTimeout an operation not answered within this counts as a {@code timeout} error
 * @param seed seeds key choice and values so runs are repeatable
 */
public record LoadSpec(
        Workload workload,
        int clients,
        int inflight,
        Optional<Long> total,
        Optional<Duration> duration,
        Duration warmup,
        int keySize,
        int valueSize,
        int keyspace,
        Consistency consistency,
        double readRatio,
        Duration opTimeout,
        long seed) {
    /** At most this many connections. */
    public static final int MAX_CLIENTS = 1024;
    /** At most this many outstanding operations. */
    public static final int MAX_INFLIGHT = 65_536;
    /** At most this many measured operations. */
    public static final long MAX_TOTAL = 1_000_000_000L;
    /** The longest measured run. */
    public static final Duration MAX_DURATION = Duration.ofHours(1);
    /** The longest warm-up. */
    public static final Duration MAX_WARMUP = Duration.ofMinutes(10);
    /** The largest key. */
    public static final int MAX_KEY_SIZE = 4096;
    /** The largest value. */
    public static final int MAX_VALUE_SIZE = 16 << 20;
    /** At most this many distinct keys (the get and mixed workloads write each once first). */
    public static final int MAX_KEYSPACE = 100_000_000;
    /** The longest per-operation timeout. */
    public static final Duration MAX_OP_TIMEOUT = Duration.ofMinutes(5);
    /** Every benchmark key starts with this, so a watch on it sees every benchmark put. */
    public static final String KEY_PREFIX = "bench/";
    /** Watch values carry the operation's 8-byte id, so they need at least this many bytes. */
    public static final int MIN_WATCH_VALUE_SIZE = Long.BYTES;

    /** A builder with the defaults: 1 client, 16 in flight, 10 s, 2 s warm-up, 16 B keys, 100 B values. */
    public static Builder builder(Workload workload) {
        return new Builder(workload);
    }

    /** Builds a {@link LoadSpec}; {@link #build()} checks every field. */
    public static final class Builder {
        private final Workload workload;
        private int clients = 1;
        private int inflight = 16;
        private Long total;
        private Duration duration;
        private Duration warmup = Duration.ofSeconds(2);
        private int keySize = 16;
        private int valueSize = 100;
        private int keyspace = 10_000;
        private Consistency consistency = Consistency.LINEARIZABLE;
        private double readRatio = 0.9;
        private Duration opTimeout = Duration.ofSeconds(10);
        private long seed = 1;

        private Builder(Workload workload) {
            this.workload = workload;
        }

        public Builder clients(int clients) {
            this.clients = clients;
            return this;
        }

        public Builder inflight(int inflight) {
            this.inflight = inflight;
            return this;
        }

        /** Bounds the run by measured operations (instead of a duration). */
        public Builder total(long total) {
            this.total = total;
            return this;
        }

        /** Bounds the run by time (instead of a total); 10 s when neither is given. */
        public Builder duration(Duration duration) {
            this.duration = duration;
            return this;
        }

        public Builder warmup(Duration warmup) {
            this.warmup = warmup;
            return this;
        }

        public Builder keySize(int keySize) {
            this.keySize = keySize;
            return this;
        }

        public Builder valueSize(int valueSize) {
            this.valueSize = valueSize;
            return this;
        }

        public Builder keyspace(int keyspace) {
            this.keyspace = keyspace;
            return this;
        }

        public Builder consistency(Consistency consistency) {
            this.consistency = consistency;
            return this;
        }

        public Builder readRatio(double readRatio) {
            this.readRatio = readRatio;
            return this;
        }

        public Builder opTimeout(Duration opTimeout) {
            this.opTimeout = opTimeout;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The spec.
         *
         * @throws IllegalArgumentException naming the field (as its command-line option) that is out
         *     of range, or both total and duration given
         */
        public LoadSpec build() {
            if (workload == null) {
                throw new IllegalArgumentException("workload must be given");
            }
            check(clients >= 1 && clients <= MAX_CLIENTS, "clients must be 1.." + MAX_CLIENTS + ", was " + clients);
            check(
                    inflight >= 1 && inflight <= MAX_INFLIGHT,
                    "inflight must be 1.." + MAX_INFLIGHT + ", was " + inflight);
            check(total == null || duration == null, "give total or duration, not both");
            check(
                    total == null || (total >= 1 && total <= MAX_TOTAL),
                    "total must be 1.." + MAX_TOTAL + ", was " + total);
            check(
                    duration == null || within(duration, Duration.ofMillis(1), MAX_DURATION),
                    "duration must be 1ms.." + MAX_DURATION + ", was " + duration);
            check(
                    warmup != null && within(warmup, Duration.ZERO, MAX_WARMUP),
                    "warmup must be 0.." + MAX_WARMUP + ", was " + warmup);
            check(
                    keyspace >= 1 && keyspace <= MAX_KEYSPACE,
                    "keyspace must be 1.." + MAX_KEYSPACE + ", was " + keyspace);
            int minKeySize =
                    KEY_PREFIX.length() + Integer.toString(keyspace - 1).length();
            check(
                    keySize >= minKeySize && keySize <= MAX_KEY_SIZE,
                    "key-size must be " + minKeySize + ".." + MAX_KEY_SIZE + " for a keyspace of " + keyspace + ", was "
                            + keySize);
            int minValueSize = workload == Workload.WATCH ? MIN_WATCH_VALUE_SIZE : 0;
            check(
                    valueSize >= minValueSize && valueSize <= MAX_VALUE_SIZE,
                    "value-size must be " + minValueSize + ".." + MAX_VALUE_SIZE + " for " + workload.wireName()
                            + ", was " + valueSize);
            check(consistency != null, "consistency must be given");
            check(readRatio >= 0 && readRatio <= 1, "read-ratio must be 0..1, was " + readRatio);
            check(
                    opTimeout != null && within(opTimeout, Duration.ofMillis(1), MAX_OP_TIMEOUT),
                    "op-timeout must be 1ms.." + MAX_OP_TIMEOUT + ", was " + opTimeout);
            Optional<Duration> bound = total == null && duration == null
                    ? Optional.of(Duration.ofSeconds(10))
                    : Optional.ofNullable(duration);
            return new LoadSpec(
                    workload,
                    clients,
                    inflight,
                    Optional.ofNullable(total),
                    bound,
                    warmup,
                    keySize,
                    valueSize,
                    keyspace,
                    consistency,
                    readRatio,
                    opTimeout,
                    seed);
        }

        private static boolean within(Duration value, Duration min, Duration max) {
            return value.compareTo(min) >= 0 && value.compareTo(max) <= 0;
        }

        private static void check(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
