package dev.aspen.kv;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The key/value API every front end uses (Java client, CLI, HTTP). Every method returns at once
 * without blocking; the future completes when the operation is applied (writes) or served (reads),
 * or completes exceptionally with a {@link KvException} carrying a stable {@link ErrorCode}.
 * Argument checks (null, sizes) complete the future exceptionally too; methods do not throw.
 *
 * <p>Keys order in unsigned byte order. Arrays passed in or returned are not copied: do not modify
 * them. Every write that changes at least one key advances the store revision by exactly one
 * (a txn, putAll, range delete or lease revoke is one revision); a write that changes nothing (a
 * delete of a missing key) does not.
 */
public interface KeyValueStore {
    /**
     * The store over {@code log}, serving watches from {@code local} (this node's state machine) and
     * lease remaining times from {@code expiry} (null: reported as -1).
     */
    static KeyValueStore over(CommandLog log, KvStateMachine local, LeaseExpiry expiry) {
        return new dev.aspen.kv.internal.LogKeyValueStore(log, local, expiry);
    }

    /** Sets a key. {@code lease} 0 for none; {@code prevKv}: return the previous key/value. */
    CompletableFuture<PutResponse> put(byte[] key, byte[] value, long lease, boolean prevKv);

    /** Sets a key with no lease, not returning the previous value. */
    default CompletableFuture<PutResponse> put(byte[] key, byte[] value) {
        return put(key, value, 0, false);
    }

    /** Reads one key. */
    CompletableFuture<GetResponse> get(byte[] key, ReadConsistency consistency);

    /** Reads one key, linearizably. */
    default CompletableFuture<GetResponse> get(byte[] key) {
        return get(key, ReadConsistency.LINEARIZABLE);
    }

    /** Deletes a key, a prefix or a range; the response counts the deleted keys. */
    CompletableFuture<DeleteResponse> delete(KeyRange range, boolean prevKv);

    /** Sets all keys atomically, at one revision. Duplicate keys are {@code invalid_argument}. */
    CompletableFuture<PutAllResponse> putAll(List<TxnOp.Put> puts);

    /** Reads keys in a range in key order; see {@link TxnOp.Scan} for limit and keys-only. */
    CompletableFuture<ScanResponse> scan(KeyRange range, int limit, boolean keysOnly, ReadConsistency consistency);

    /**
     * Runs a transaction atomically: if every compare holds, the {@code success} ops, else the
     * {@code failure} ops. Ops run in order and later reads see earlier writes. A branch may not
     * put one key twice or put a key that one of its deletes covers ({@code invalid_argument}).
     */
    CompletableFuture<TxnResponse> txn(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure);

    /** Grants a lease with a TTL in seconds; the leader expires it unless kept alive. */
    CompletableFuture<LeaseResponse> leaseGrant(long ttlSeconds);

    /** Restarts a lease's TTL; {@code lease_not_found} if it is gone. */
    CompletableFuture<LeaseResponse> leaseKeepAlive(long leaseId);

    /** Revokes a lease and deletes its keys at one revision; {@code lease_not_found} if it is gone. */
    CompletableFuture<LeaseRevokeResponse> leaseRevoke(long leaseId);

    /** A lease's granted TTL, remaining time (when known here) and keys. */
    CompletableFuture<LeaseTimeToLiveResponse> leaseTimeToLive(long leaseId, ReadConsistency consistency);

    /**
     * Watches a key, prefix or range on this node. Events of revisions {@code >= startRevision}
     * (0: from the next revision) reach {@code listener} in revision order without gaps. Fails
     * with {@code compacted} (carrying the oldest available revision) when the start is older than
     * the retained history, and with {@code too_large} when the node has its maximum of watchers.
     *
     * @param prevKv whether events carry the previous key/value
     */
    CompletableFuture<Watch> watch(KeyRange range, long startRevision, boolean prevKv, WatchListener listener);
}
