package dev.aspen.kv.replicated;

import dev.aspen.consensus.sim.SimCluster;
import dev.aspen.consensus.sim.SimScheduler;
import dev.aspen.kv.Compare;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.GetResponse;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValue;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvException;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.check.RegisterOp;
import dev.aspen.kv.replicated.KvHistory.ReadKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * One simulated client: one operation at a time (it gives up waiting after {@link
 * #TIMEOUT_MILLIS} and moves on; the abandoned operation stays pending and is recorded whenever it
 * completes, or ends with an unknown outcome). It talks to the leader it knows of most of the time
 * and to a random running node otherwise. Operations: put, get (linearizable, lease, stale),
 * compare-and-set as a txn (on the value or on the mod revision it last read), delete, lease grant
 * + put with that lease, lease revoke. Values are unique, so a key attached to lease L holds
 * exactly the value put with L, and revoking L is a compare-and-set of that value to absent.
 */
final class KvClient {
    static final String KEY_PREFIX = "k/";
    static final long TIMEOUT_MILLIS = 2_000;
    private static final long LEASE_TTL_SECONDS = 3_600;

    private record Leased(long lease, String key, String value) {}

    private final int id;
    private final SimCluster cluster;
    private final KvSimNodes nodes;
    private final KvHistory history;
    private final Random random;
    private final int keys;
    private final Map<String, KeyValue> lastRead = new HashMap<>();
    private final List<Leased> leases = new ArrayList<>();
    private int sequence;
    private boolean stopped;

    KvClient(int id, SimCluster cluster, KvSimNodes nodes, KvHistory history, int keys) {
        this.id = id;
        this.cluster = cluster;
        this.nodes = nodes;
        this.history = history;
        this.random = new Random(cluster.random().nextLong());
        this.keys = keys;
    }

    static String key(int i) {
        return KEY_PREFIX + i;
    }

    /** Starts issuing operations. */
    void start() {
        next(false);
    }

    /** Stops after the operation in flight. */
    void stop() {
        stopped = true;
    }

    /** Reads every key at LINEARIZABLE through the leader, retrying, before the final checks. */
    void finalReads() {
        for (int k = 0; k < keys; k++) {
            for (int attempt = 0; attempt < 20; attempt++) {
                CompletableFuture<?> f = get(key(k), ReadKind.LINEARIZABLE);
                if (cluster.await(f, TIMEOUT_MILLIS) && !f.isCompletedExceptionally()) {
                    break;
                }
                cluster.scheduler().runFor(100);
            }
        }
    }

    /** Waits a few ms before the next operation, longer after a failure (no busy retry loop). */
    private void next(boolean failed) {
        if (stopped) {
            return;
        }
        long millis = failed ? 100 + random.nextInt(200) : 5 + random.nextInt(40);
        scheduler().after(millis * 1_000_000L, this::issue);
    }

    private void issue() {
        if (stopped) {
            return;
        }
        CompletableFuture<?> op = randomOperation();
        boolean[] movedOn = {false};
        java.util.function.Consumer<Boolean> onward = failed -> {
            if (!movedOn[0]) {
                movedOn[0] = true;
                next(failed);
            }
        };
        op.whenComplete((v, e) -> onward.accept(e != null));
        scheduler().after(TIMEOUT_MILLIS * 1_000_000, () -> onward.accept(true));
    }

    private CompletableFuture<?> randomOperation() {
        String key = key(random.nextInt(keys));
        int dice = random.nextInt(100);
        if (dice < 25) {
            return put(key, 0);
        } else if (dice < 50) {
            return get(key, ReadKind.LINEARIZABLE);
        } else if (dice < 55) {
            return get(key, ReadKind.LEASE);
        } else if (dice < 60) {
            return get(key, ReadKind.STALE);
        } else if (dice < 70) {
            return casOnValue(key);
        } else if (dice < 77) {
            return casOnModRevision(key);
        } else if (dice < 87) {
            return delete(key);
        } else if (dice < 94 || leases.isEmpty()) {
            return grantAndPut(key);
        }
        return revoke(leases.remove(random.nextInt(leases.size())));
    }

    private CompletableFuture<?> put(String key, long lease) {
        String value = newValue();
        KvHistory.Pending p = history.call(key, RegisterOp.write(id, value, now(), Long.MAX_VALUE));
        long call = now();
        return track(
                p, store().put(bytes(key), bytes(value), lease, false), r -> RegisterOp.write(id, value, call, now()));
    }

    private CompletableFuture<?> get(String key, ReadKind kind) {
        ReadConsistency consistency =
                switch (kind) {
                    case LINEARIZABLE -> ReadConsistency.LINEARIZABLE;
                    case LEASE -> ReadConsistency.LEASE;
                    case STALE -> ReadConsistency.stale();
                };
        long call = now();
        KvHistory.Pending p = history.call(key, RegisterOp.read(id, null, call, Long.MAX_VALUE));
        CompletableFuture<GetResponse> f = store().get(bytes(key), consistency);
        f.whenComplete((r, e) -> {
            if (e != null) {
                p.discard();
            } else {
                r.kv().ifPresentOrElse(kv -> lastRead.put(key, kv), () -> lastRead.remove(key));
                p.complete(
                        RegisterOp.read(id, r.kv().map(kv -> text(kv.value())).orElse(null), call, now()), kind);
            }
        });
        return f;
    }

    /** Compare the value this client last saw (or absence: version 0), then put. */
    private CompletableFuture<?> casOnValue(String key) {
        String expected = Optional.ofNullable(lastRead.get(key))
                .map(kv -> text(kv.value()))
                .orElse(null);
        Compare compare = expected == null
                ? Compare.number(bytes(key), Compare.Target.VERSION, Compare.Op.EQUAL, 0)
                : Compare.value(bytes(key), Compare.Op.EQUAL, bytes(expected));
        return cas(key, expected, compare);
    }

    /** Compare the mod revision this client last read (0 when absent), then put. */
    private CompletableFuture<?> casOnModRevision(String key) {
        KeyValue seen = lastRead.get(key);
        long modRevision = seen == null ? 0 : seen.modRevision();
        String expected = seen == null ? null : text(seen.value());
        return cas(
                key, expected, Compare.number(bytes(key), Compare.Target.MOD_REVISION, Compare.Op.EQUAL, modRevision));
    }

    private CompletableFuture<?> cas(String key, String expected, Compare compare) {
        String value = newValue();
        long call = now();
        KvHistory.Pending p = history.call(key, RegisterOp.cas(id, expected, value, false, call, Long.MAX_VALUE));
        var f = store().txn(List.of(compare), List.of(new TxnOp.Put(bytes(key), bytes(value), 0, false)), List.of());
        return track(p, f, r -> RegisterOp.cas(id, expected, value, r.succeeded(), call, now()));
    }

    private CompletableFuture<?> delete(String key) {
        long call = now();
        KvHistory.Pending p = history.call(key, RegisterOp.delete(id, call, Long.MAX_VALUE));
        return track(p, store().delete(KeyRange.key(bytes(key)), false), r -> RegisterOp.delete(id, call, now()));
    }

    /** Grants a lease (no register effect), then puts a new value attached to it. */
    private CompletableFuture<?> grantAndPut(String key) {
        KeyValueStore store = store();
        return store.leaseGrant(LEASE_TTL_SECONDS).thenCompose(granted -> {
            String value = newValue();
            long call = now();
            KvHistory.Pending p = history.call(key, RegisterOp.write(id, value, call, Long.MAX_VALUE));
            CompletableFuture<?> put = store.put(bytes(key), bytes(value), granted.id(), false);
            leases.add(new Leased(granted.id(), key, value));
            return track(p, put, r -> RegisterOp.write(id, value, call, now()));
        });
    }

    /** Revoking deletes the key iff it still holds the value put with the lease. */
    private CompletableFuture<?> revoke(Leased leased) {
        long call = now();
        KvHistory.Pending p =
                history.call(leased.key, RegisterOp.cas(id, leased.value, null, false, call, Long.MAX_VALUE));
        return track(
                p,
                store().leaseRevoke(leased.lease),
                r -> RegisterOp.cas(id, leased.value, null, r.deletedKeys() > 0, call, now()));
    }

    /** Records the outcome of a write when (if ever) its future completes. */
    private <T> CompletableFuture<T> track(KvHistory.Pending p, CompletableFuture<T> f, Function<T, RegisterOp> ok) {
        f.whenComplete((r, e) -> {
            if (e == null) {
                p.complete(ok.apply(r), null);
            } else if (hadNoEffect(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e)) {
                p.discard();
            }
            // otherwise: indeterminate, stays pending = unknown outcome
        });
        return f;
    }

    /**
     * Whether a failure proves the command changed nothing: refused before it was appended
     * (not_leader, the Raft layer's own unavailable), or applied and refused by the state machine
     * (lease_not_found, failed_precondition, invalid_argument).
     */
    static boolean hadNoEffect(Throwable failure) {
        if (!(failure instanceof KvException kv)) {
            return false;
        }
        return switch (kv.code()) {
            case NOT_LEADER, LEASE_NOT_FOUND, FAILED_PRECONDITION, INVALID_ARGUMENT -> true;
            case UNAVAILABLE -> kv.getMessage().startsWith(ErrorCode.UNAVAILABLE.wireName() + ": unavailable:");
            default -> false;
        };
    }

    private KeyValueStore store() {
        List<SimCluster.Node> up = cluster.upNodes();
        Optional<SimCluster.Node> leader = cluster.leader().map(cluster::node);
        SimCluster.Node target =
                leader.isPresent() && random.nextInt(10) < 8 ? leader.get() : up.get(random.nextInt(up.size()));
        return nodes.store(target);
    }

    private String newValue() {
        return "c" + id + "-" + (++sequence);
    }

    private long now() {
        return scheduler().nowNanos();
    }

    private SimScheduler scheduler() {
        return cluster.scheduler();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
