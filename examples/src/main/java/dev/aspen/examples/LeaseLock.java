package dev.aspen.examples;

import static dev.aspen.examples.Examples.join;

import dev.aspen.kv.Compare;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvException;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.TxnResponse;
import dev.aspen.kv.Watch;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.WatchListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A lock on top of Aspen's leases, as etcd's lock recipe: the holder is whoever created the lock
 * key, and the key is attached to the holder's lease, so it disappears when the holder stops
 * keeping the lease alive (it crashed, or it paused for longer than the TTL).
 *
 * <p>The <b>fencing token</b> is the store revision at which the lock key was created. Revisions
 * only grow, so every later holder has a larger token; a resource that remembers the largest token
 * it has seen can refuse a holder whose lease expired without it noticing ({@link FencedResource}).
 * Holding the lock alone cannot promise that: after a pause, the old holder does not know it lost
 * it.
 */
final class LeaseLock {
    private final KeyValueStore kv;
    private final byte[] key;
    private final long ttlSeconds;

    /**
     * @param kv the store (a client or an embedded node)
     * @param key the lock key; one lock per key
     * @param ttlSeconds how long a holder that stops keeping its lease alive keeps the lock
     */
    LeaseLock(KeyValueStore kv, byte[] key, long ttlSeconds) {
        this.kv = kv;
        this.key = key.clone();
        this.ttlSeconds = ttlSeconds;
    }

    /** A held lock: its fencing token, and the keep-alive that holds it. */
    static final class Held {
        private final long token;
        private final long lease;
        private final ScheduledExecutorService keepAlive;

        private Held(KeyValueStore kv, long token, long lease, long ttlSeconds) {
            this.token = token;
            this.lease = lease;
            this.keepAlive = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "lock-keep-alive-" + lease);
                thread.setDaemon(true);
                return thread;
            });
            long periodMillis = ttlSeconds * 1000 / 3;
            // A real holder would also stop its work when a keep-alive fails with lease_not_found;
            // even then it can be too late, which is what the fencing token is for.
            keepAlive.scheduleAtFixedRate(
                    () -> kv.leaseKeepAlive(lease), periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        }

        /** The fencing token: the revision that created the lock key. */
        long token() {
            return token;
        }

        long lease() {
            return lease;
        }

        /** Stops keeping the lease alive: the lock ends when the lease expires. */
        void stopKeepAlive() {
            keepAlive.shutdownNow();
        }
    }

    /**
     * Takes the lock, waiting for the current holder to release it or lose its lease.
     *
     * @param owner stored as the lock key's value, to show who holds it
     * @throws TimeoutException when the lock is not free within {@code timeout}
     */
    Held acquire(String owner, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lease = join(kv.leaseGrant(ttlSeconds)).id();
        while (true) {
            TxnResponse txn = join(kv.txn(
                    List.of(Compare.number(key, Compare.Target.CREATE_REVISION, Compare.Op.EQUAL, 0)),
                    List.of(new TxnOp.Put(key, Examples.bytes(owner), lease, false)),
                    List.of(new TxnOp.Get(key))));
            if (txn.succeeded()) {
                return new Held(kv, txn.revision(), lease, ttlSeconds);
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                join(kv.leaseRevoke(lease));
                throw new TimeoutException("lock " + Examples.text(key) + " still held after " + timeout);
            }
            // Keep our own lease alive while waiting, then wait for the holder's key to go.
            join(kv.leaseKeepAlive(lease));
            awaitDelete(
                    txn.revision() + 1,
                    Math.min(remaining, Duration.ofSeconds(1).toNanos()));
        }
    }

    /** Releases the lock if {@code held} still holds it, and ends its lease. */
    void release(Held held) throws Exception {
        held.stopKeepAlive();
        join(kv.txn(
                List.of(Compare.number(key, Compare.Target.CREATE_REVISION, Compare.Op.EQUAL, held.token())),
                List.of(new TxnOp.Delete(KeyRange.key(key), false)),
                List.of()));
        try {
            join(kv.leaseRevoke(held.lease()));
        } catch (ExecutionException e) {
            boolean expiredAlready =
                    e.getCause() instanceof KvException gone && gone.code() == ErrorCode.LEASE_NOT_FOUND;
            if (!expiredAlready) {
                throw e;
            }
        }
    }

    /** Waits up to {@code nanos} for a delete of the key at or after {@code fromRevision}. */
    private void awaitDelete(long fromRevision, long nanos) throws Exception {
        CompletableFuture<Void> deleted = new CompletableFuture<>();
        WatchListener listener = new WatchListener() {
            @Override
            public void onEvents(List<WatchEvent> events) {
                if (events.stream().anyMatch(event -> event.type() == WatchEvent.Type.DELETE)) {
                    deleted.complete(null);
                }
            }

            @Override
            public void onCancelled(KvException reason) {
                deleted.completeExceptionally(reason);
            }
        };
        Watch watch = join(kv.watch(KeyRange.key(key), fromRevision, false, listener));
        try {
            deleted.get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // not yet: the caller tries again
        } finally {
            watch.close();
        }
    }
}
