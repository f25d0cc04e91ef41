package dev.aspen.mesh.metrics;

import dev.aspen.kv.Compare;
import dev.aspen.kv.DeleteResponse;
import dev.aspen.kv.GetResponse;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.LeaseResponse;
import dev.aspen.kv.LeaseRevokeResponse;
import dev.aspen.kv.LeaseTimeToLiveResponse;
import dev.aspen.kv.PutAllResponse;
import dev.aspen.kv.PutResponse;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.ScanResponse;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.TxnResponse;
import dev.aspen.kv.Watch;
import dev.aspen.kv.WatchListener;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A {@link KeyValueStore} decorator: every call goes to the delegate through {@link #around}, the
 * one method a subclass overrides to observe or refuse calls.
 */
abstract class ForwardingKeyValueStore implements KeyValueStore {
    private final KeyValueStore delegate;

    ForwardingKeyValueStore(KeyValueStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * Runs {@code call} (the delegate's method) for {@code op}; must return without blocking, like
     * every {@link KeyValueStore} method.
     *
     * @param consistency the read's consistency for reads, null for writes, leases and watches
     */
    abstract <T> CompletableFuture<T> around(
            KvOperation op, ReadConsistency consistency, Supplier<CompletableFuture<T>> call);

    @Override
    public CompletableFuture<PutResponse> put(byte[] key, byte[] value, long lease, boolean prevKv) {
        return around(KvOperation.PUT, null, () -> delegate.put(key, value, lease, prevKv));
    }

    @Override
    public CompletableFuture<GetResponse> get(byte[] key, ReadConsistency consistency) {
        return around(KvOperation.GET, consistency, () -> delegate.get(key, consistency));
    }

    @Override
    public CompletableFuture<DeleteResponse> delete(KeyRange range, boolean prevKv) {
        return around(KvOperation.DELETE, null, () -> delegate.delete(range, prevKv));
    }

    @Override
    public CompletableFuture<PutAllResponse> putAll(List<TxnOp.Put> puts) {
        return around(KvOperation.PUT_ALL, null, () -> delegate.putAll(puts));
    }

    @Override
    public CompletableFuture<ScanResponse> scan(
            KeyRange range, int limit, boolean keysOnly, ReadConsistency consistency) {
        return around(KvOperation.SCAN, consistency, () -> delegate.scan(range, limit, keysOnly, consistency));
    }

    @Override
    public CompletableFuture<TxnResponse> txn(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) {
        return around(KvOperation.TXN, null, () -> delegate.txn(compares, success, failure));
    }

    @Override
    public CompletableFuture<LeaseResponse> leaseGrant(long ttlSeconds) {
        return around(KvOperation.LEASE_GRANT, null, () -> delegate.leaseGrant(ttlSeconds));
    }

    @Override
    public CompletableFuture<LeaseResponse> leaseKeepAlive(long leaseId) {
        return around(KvOperation.LEASE_KEEPALIVE, null, () -> delegate.leaseKeepAlive(leaseId));
    }

    @Override
    public CompletableFuture<LeaseRevokeResponse> leaseRevoke(long leaseId) {
        return around(KvOperation.LEASE_REVOKE, null, () -> delegate.leaseRevoke(leaseId));
    }

    @Override
    public CompletableFuture<LeaseTimeToLiveResponse> leaseTimeToLive(long leaseId, ReadConsistency consistency) {
        return around(KvOperation.LEASE_TTL, consistency, () -> delegate.leaseTimeToLive(leaseId, consistency));
    }

    @Override
    public CompletableFuture<Watch> watch(KeyRange range, long startRevision, boolean prevKv, WatchListener listener) {
        return around(KvOperation.WATCH, null, () -> delegate.watch(range, startRevision, prevKv, listener));
    }
}
