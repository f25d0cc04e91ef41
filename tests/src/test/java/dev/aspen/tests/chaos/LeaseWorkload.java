package dev.aspen.tests.chaos;

import dev.aspen.kv.ReadConsistency;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Lease cycles, each on a key of its own ({@code lease<client>-<n>}): grant a lease with a short TTL,
 * put the key attached to it, read it, then one of three plans — revoke it; keep it alive for two
 * TTLs (reading after each keep-alive), then revoke; or let it expire (reading until the key is
 * gone). Every step is recorded for {@link LeaseCheck}.
 */
final class LeaseWorkload {
    /** The leases' TTL: the shortest the API allows, so that expiry happens many times per run. */
    static final long TTL_SECONDS = 2;
    /** Keep-alives at a third of the TTL, as etcd's clients do. */
    static final Duration KEEPALIVE_EVERY = Duration.ofMillis(TTL_SECONDS * 1000 / 3);
    /** Keep-alives per kept-alive cycle: together twice the TTL. */
    static final int KEEPALIVES = 6;
    /** Reads of a lease left to expire, this often. */
    static final Duration POLL_EVERY = Duration.ofMillis(500);

    private enum Plan {
        REVOKE,
        KEEP_ALIVE,
        EXPIRE
    }

    private final History history;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    LeaseWorkload(History history) {
        this.history = history;
    }

    /** Asks every lease client to finish after its current step. */
    void stop() {
        stop.set(true);
    }

    /** Failures by kind, for the summary. */
    Map<String, Long> errors() {
        var out = new java.util.TreeMap<String, Long>();
        errors.forEach((k, v) -> out.put("lease " + k, v.sum()));
        return out;
    }

    /** Runs lease cycles until {@link #stop()}. */
    void runClient(int client, Driver driver, Random random) {
        try {
            for (long n = 0; !stop.get(); n++) {
                cycle(new Steps(client, driver, "lease" + client + "-" + n), random);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void cycle(Steps steps, Random random) throws InterruptedException {
        if (!steps.grant()) {
            pace(POLL_EVERY); // no cluster to talk to now: do not spin
            return;
        }
        steps.act(LeaseOp.Kind.PUT);
        steps.read();
        switch (Plan.values()[random.nextInt(Plan.values().length)]) {
            case REVOKE -> {
                steps.act(LeaseOp.Kind.REVOKE);
                steps.read();
            }
            case KEEP_ALIVE -> {
                for (int i = 0; i < KEEPALIVES && !stop.get(); i++) {
                    pace(KEEPALIVE_EVERY);
                    steps.act(LeaseOp.Kind.KEEPALIVE);
                    steps.read();
                }
                steps.act(LeaseOp.Kind.REVOKE);
                steps.read();
            }
            case EXPIRE -> {
                long until = history.now() + expiryWatch();
                boolean gone = false;
                while (!stop.get() && history.now() < until) {
                    pace(POLL_EVERY);
                    if (steps.read() == Presence.ABSENT) {
                        if (gone) {
                            break;
                        }
                        gone = true; // one more read: a key that comes back after expiring is an anomaly
                    }
                }
            }
        }
    }

    /** How long a cycle left to expire keeps reading: past the bound {@link LeaseCheck} holds it to. */
    private static long expiryWatch() {
        return TimeUnit.SECONDS.toNanos(TTL_SECONDS) + LeaseCheck.EXPIRY_SLACK.toNanos() + 2 * POLL_EVERY.toNanos();
    }

    /**
     * After the run, with the cluster healed: reads every lease key until it is gone (every lease
     * ends: its cycle revoked it or stopped renewing it), for at most {@code limit}. The reads are
     * recorded; the keys still present at the end are returned.
     */
    TreeSet<String> awaitAllGone(Driver reader, Duration limit) throws InterruptedException {
        var left = new TreeSet<String>();
        history.leaseOps().stream()
                .filter(op -> op.kind() == LeaseOp.Kind.PUT
                        && (op.outcome() == LeaseOp.Outcome.OK || op.outcome() == LeaseOp.Outcome.UNKNOWN))
                .forEach(op -> left.add(op.key()));
        long until = history.now() + limit.toNanos();
        while (!left.isEmpty() && history.now() < until) {
            left.removeIf(key -> new Steps(Op.FINAL_READER, reader, key).read() == Presence.ABSENT);
            if (!left.isEmpty()) {
                pace(POLL_EVERY);
            }
        }
        return left;
    }

    private enum Presence {
        PRESENT,
        ABSENT,
        UNKNOWN
    }

    /** The steps of one cycle: each call recorded with its outcome. */
    private final class Steps {
        private final int client;
        private final Driver driver;
        private final String key;
        private long lease;

        Steps(int client, Driver driver, String key) {
            this.client = client;
            this.driver = driver;
            this.key = key;
        }

        boolean grant() {
            long call = history.now();
            try {
                lease = driver.grantLease(TTL_SECONDS);
                record(LeaseOp.Kind.GRANT, LeaseOp.Outcome.OK, null, call, history.now());
                return true;
            } catch (Exception e) {
                failed(LeaseOp.Kind.GRANT, null, call, e);
                return false;
            }
        }

        /** A put of the cycle's key with the lease, a keep-alive or a revoke. */
        void act(LeaseOp.Kind kind) {
            String value = kind == LeaseOp.Kind.PUT ? "v-" + key : null;
            long call = history.now();
            try {
                switch (kind) {
                    case PUT -> driver.put(key, value, lease);
                    case KEEPALIVE -> driver.keepAlive(lease);
                    case REVOKE -> driver.revoke(lease);
                    default -> throw new IllegalArgumentException("not an action: " + kind);
                }
                record(kind, LeaseOp.Outcome.OK, value, call, history.now());
            } catch (Exception e) {
                failed(kind, value, call, e);
            }
        }

        /** A linearizable read of the cycle's key. */
        Presence read() {
            long call = history.now();
            try {
                String value = driver.get(key, ReadConsistency.Mode.LINEARIZABLE);
                record(LeaseOp.Kind.READ, LeaseOp.Outcome.OK, value, call, history.now());
                return value == null ? Presence.ABSENT : Presence.PRESENT;
            } catch (Exception e) {
                failed(LeaseOp.Kind.READ, null, call, e);
                return Presence.UNKNOWN;
            }
        }

        private void failed(LeaseOp.Kind kind, String value, long call, Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                stop();
            }
            errors.computeIfAbsent(driver.describe(e), k -> new LongAdder()).increment();
            if (driver.leaseGone(e)) {
                record(kind, LeaseOp.Outcome.GONE, value, call, history.now());
            } else if (kind == LeaseOp.Kind.READ || driver.neverRan(e)) {
                record(kind, LeaseOp.Outcome.FAILED, value, call, history.now());
            } else {
                record(kind, LeaseOp.Outcome.UNKNOWN, value, call, Long.MAX_VALUE);
            }
        }

        private void record(LeaseOp.Kind kind, LeaseOp.Outcome outcome, String value, long call, long ret) {
            history.addLease(new LeaseOp(client, key, lease, kind, outcome, value, call, ret));
        }
    }

    /**
     * Paces the cycle: keep-alives and polls are periodic by design, so this is a plain timed sleep,
     * not a wait for a condition.
     */
    private static void pace(Duration period) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(period.toMillis());
    }
}
