package dev.aspen.kv.wire;

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
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One {@link KeyValueStore} call as it crosses the wire: each record holds exactly the arguments of
 * the method of the same name. Arrays and lists are not copied. Records do not validate their
 * fields; {@link KvWire#encodeRequest} checks the wire limits and the serving store checks the rest
 * (so a semantically bad request comes back as the same error value a direct call would give).
 */
public sealed interface KvRequest permits KvRequest.Call, KvRequest.Watch {
    /** A request answered by exactly one response: every operation but {@link Watch}. */
    sealed interface Call extends KvRequest
            permits Put, Get, Delete, PutAll, Scan, Txn, LeaseGrant, LeaseKeepAlive, LeaseRevoke, LeaseTimeToLive {
        /**
         * Calls the matching method of {@code store} with these arguments and returns its future
         * unchanged. Does not block and does not throw (the store reports bad arguments through
         * the future).
         */
        CompletableFuture<?> dispatch(KeyValueStore store);
    }

    /** {@link KeyValueStore#put(byte[], byte[], long, boolean)}. */
    record Put(byte[] key, byte[] value, long lease, boolean prevKv) implements Call {
        @Override
        public CompletableFuture<PutResponse> dispatch(KeyValueStore store) {
            return store.put(key, value, lease, prevKv);
        }
    }

    /** {@link KeyValueStore#get(byte[], ReadConsistency)}. */
    record Get(byte[] key, ReadConsistency consistency) implements Call {
        @Override
        public CompletableFuture<GetResponse> dispatch(KeyValueStore store) {
            return store.get(key, consistency);
        }
    }

    /** {@link KeyValueStore#delete(KeyRange, boolean)}. */
    record Delete(KeyRange range, boolean prevKv) implements Call {
        @Override
        public CompletableFuture<DeleteResponse> dispatch(KeyValueStore store) {
            return store.delete(range, prevKv);
        }
    }

    /** {@link KeyValueStore#putAll(List)}. */
    record PutAll(List<TxnOp.Put> puts) implements Call {
        @Override
        public CompletableFuture<PutAllResponse> dispatch(KeyValueStore store) {
            return store.putAll(puts);
        }
    }

    /** {@link KeyValueStore#scan(KeyRange, int, boolean, ReadConsistency)}. */
    record Scan(KeyRange range, int limit, boolean keysOnly, ReadConsistency consistency) implements Call {
        @Override
        public CompletableFuture<ScanResponse> dispatch(KeyValueStore store) {
            return store.scan(range, limit, keysOnly, consistency);
        }
    }

    /** {@link KeyValueStore#txn(List, List, List)}. */
    record Txn(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) implements Call {
        @Override
        public CompletableFuture<TxnResponse> dispatch(KeyValueStore store) {
            return store.txn(compares, success, failure);
        }
    }

    /** {@link KeyValueStore#leaseGrant(long)}. */
    record LeaseGrant(long ttlSeconds) implements Call {
        @Override
        public CompletableFuture<LeaseResponse> dispatch(KeyValueStore store) {
            return store.leaseGrant(ttlSeconds);
        }
    }

    /** {@link KeyValueStore#leaseKeepAlive(long)}. */
    record LeaseKeepAlive(long leaseId) implements Call {
        @Override
        public CompletableFuture<LeaseResponse> dispatch(KeyValueStore store) {
            return store.leaseKeepAlive(leaseId);
        }
    }

    /** {@link KeyValueStore#leaseRevoke(long)}. */
    record LeaseRevoke(long leaseId) implements Call {
        @Override
        public CompletableFuture<LeaseRevokeResponse> dispatch(KeyValueStore store) {
            return store.leaseRevoke(leaseId);
        }
    }

    /** {@link KeyValueStore#leaseTimeToLive(long, ReadConsistency)}. */
    record LeaseTimeToLive(long leaseId, ReadConsistency consistency) implements Call {
        @Override
        public CompletableFuture<LeaseTimeToLiveResponse> dispatch(KeyValueStore store) {
            return store.leaseTimeToLive(leaseId, consistency);
        }
    }

    /**
     * The arguments of {@link KeyValueStore#watch} but the listener: the serving node supplies a
     * listener that forwards each event with {@link KvWire#encodeEvent} and ends the stream on
     * {@code onCancelled}.
     */
    record Watch(KeyRange range, long startRevision, boolean prevKv) implements KvRequest {}
}
