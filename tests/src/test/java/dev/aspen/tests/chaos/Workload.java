package dev.aspen.tests.chaos;

import dev.aspen.kv.ReadConsistency;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The clients' operations: on a few live keys at a time, each key retired after {@link
 * #OPS_PER_KEY} operations on average so that every key's history stays small enough to check
 * exhaustively (the "independent keys" of Jepsen). Values are unique per client and operation.
 *
 * <p>Mix: 25% put, 15% cas (expecting the value the client last saw), 8% delete, 52% get split
 * over linearizable (half), lease and stale reads.
 */
final class Workload {
    /** Keys in use at any time. */
    static final int LIVE_KEYS = 5;
    /**
     * Average operations per key before the keys move on. Each operation whose outcome is unknown
     * (a timeout during a fault) stays a candidate at every later point of the search; at 120 per
     * key, a CI run with a membership change left 7 of 70 keys too ambiguous to decide.
     */
    static final int OPS_PER_KEY = 50;

    private final History history;
    private final AtomicLong issued = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    Workload(History history) {
        this.history = history;
    }

    /** Asks every client loop to finish after its current operation. */
    void stop() {
        stop.set(true);
    }

    /** Failures by kind (e.g. "java unavailable", "http HttpTimeoutException"), for the summary. */
    Map<String, Long> errors() {
        var out = new java.util.TreeMap<String, Long>();
        errors.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Runs one client until {@link #stop()}: one operation at a time, each recorded. */
    void runClient(int client, Driver driver, Random random) {
        Map<String, String> lastSeen = new HashMap<>();
        long sequence = 0;
        while (!stop.get()) {
            long n = issued.getAndIncrement();
            String key = "k" + n / ((long) LIVE_KEYS * OPS_PER_KEY) + "-" + random.nextInt(LIVE_KEYS);
            String value = "c" + client + "-" + sequence++;
            double p = random.nextDouble();
            Op.Kind kind = p < 0.25
                    ? Op.Kind.PUT
                    : p < 0.40 ? Op.Kind.CAS : p < 0.48 ? Op.Kind.DELETE : readKind(random.nextInt(4));
            if (!history.add(call(client, driver, kind, key, value, lastSeen))) {
                return;
            }
        }
    }

    private static Op.Kind readKind(int quarter) {
        return quarter < 2 ? Op.Kind.READ_LINEARIZABLE : quarter == 2 ? Op.Kind.READ_LEASE : Op.Kind.READ_STALE;
    }

    private Op call(int client, Driver driver, Op.Kind kind, String key, String value, Map<String, String> lastSeen) {
        String expected = kind == Op.Kind.CAS ? lastSeen.get(key) : null;
        long start = history.now();
        try {
            String result = value;
            Op.Outcome outcome = Op.Outcome.OK;
            long revision = -1;
            switch (kind) {
                case PUT -> revision = driver.put(key, value, 0);
                case CAS -> {
                    revision = driver.cas(key, expected, value);
                    outcome = revision >= 0 ? Op.Outcome.OK : Op.Outcome.MISMATCH;
                }
                case DELETE -> {
                    revision = driver.delete(key);
                    result = null;
                }
                case READ_LINEARIZABLE -> result = driver.get(key, ReadConsistency.Mode.LINEARIZABLE);
                case READ_LEASE -> result = driver.get(key, ReadConsistency.Mode.LEASE);
                case READ_STALE -> result = driver.get(key, ReadConsistency.Mode.STALE);
            }
            if (outcome == Op.Outcome.OK) {
                lastSeen.put(key, result);
            } else {
                lastSeen.remove(key);
            }
            return new Op(client, kind, key, result, expected, outcome, start, history.now(), revision);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                stop();
            }
            errors.computeIfAbsent(driver.describe(e), k -> new LongAdder()).increment();
            boolean unknown = !kind.isRead() && !driver.neverRan(e);
            return unknown
                    ? new Op(client, kind, key, value, expected, Op.Outcome.UNKNOWN, start, Long.MAX_VALUE)
                    : new Op(
                            client,
                            kind,
                            key,
                            kind.isRead() ? null : value,
                            expected,
                            Op.Outcome.FAILED,
                            start,
                            history.now());
        }
    }
}
