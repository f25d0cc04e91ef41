package dev.aspen.kv;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A {@link KeyValueStore} decorator: every call goes through {@link #around}, the one method a
 * subclass overrides to observe, refuse or redirect calls (metrics, a full-disk guard, forwarding
 * to the leader).
 */
public abstract class ForwardingKeyValueStore implements KeyValueStore {
    private final KeyValueStore delegate;

    protected ForwardingKeyValueStore(KeyValueStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The store calls go to. */
    protected final KeyValueStore delegate() {
        return delegate;
    }

    /**
     * Runs {@code call} for {@code op}: {@code call.apply(delegate())} makes the call on the
     * delegate (a subclass may also apply it to another store). Must return without blocking, like
     * every {@link KeyValueStore} method.
     *
     * @param consistency the read's consistency for reads, null for writes, leases and watches
     */
    protected abstract <T> CompletableFuture<T> around(
            KvOperation op, ReadConsistency consistency, Function<KeyValueStore, CompletableFuture<T>> call);

    @Override
    public CompletableFuture<PutResponse> put(byte[] key, byte[] value, long lease, boolean prevKv) {
        return around(KvOperation.PUT, null, store -> store.put(key, value, lease, prevKv));
    }

    @Override
    public CompletableFuture<GetResponse> get(byte[] key, ReadConsistency consistency) {
        return around(KvOperation.GET, consistency, store -> store.get(key, consistency));
    }

    @Override
    public CompletableFuture<DeleteResponse> delete(KeyRange range, boolean prevKv) {
        return around(KvOperation.DELETE, null, store -> store.delete(range, prevKv));
    }

    @Override
    public CompletableFuture<PutAllResponse> putAll(List<TxnOp.Put> puts) {
        return around(KvOperation.PUT_ALL, null, store -> store.putAll(puts));
    }

    @Override
    public CompletableFuture<ScanResponse> scan(
            KeyRange range, int limit, boolean keysOnly, ReadConsistency consistency) {
        return around(KvOperation.SCAN, consistency, store -> store.scan(range, limit, keysOnly, consistency));
    }

    @Override
    public CompletableFuture<TxnResponse> txn(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) {
        return around(KvOperation.TXN, null, store -> store.txn(compares, success, failure));
    }

    @Override
    public CompletableFuture<LeaseResponse> leaseGrant(long ttlSeconds) {
        return around(KvOperation.LEASE_GRANT, null, store -> store.leaseGrant(ttlSeconds));
    }

    @Override
    public CompletableFuture<LeaseResponse> leaseKeepAlive(long leaseId) {
        return around(KvOperation.LEASE_KEEPALIVE, null, store -> store.leaseKeepAlive(leaseId));
    }

    @Override
    public CompletableFuture<LeaseRevokeResponse> leaseRevoke(long leaseId) {
        return around(KvOperation.LEASE_REVOKE, null, store -> store.leaseRevoke(leaseId));
    }

    @Override
    public CompletableFuture<LeaseTimeToLiveResponse> leaseTimeToLive(long leaseId, ReadConsistency consistency) {
        return around(KvOperation.LEASE_TTL, consistency, store -> store.leaseTimeToLive(leaseId, consistency));
    }

    @Override
    public CompletableFuture<Watch> watch(KeyRange range, long startRevision, boolean prevKv, WatchListener listener) {
        return around(KvOperation.WATCH, null, store -> store.watch(range, startRevision, prevKv, listener));
    }
}
