package dev.aspen.kv.internal;

import dev.aspen.kv.CommandLog;
import dev.aspen.kv.Compare;
import dev.aspen.kv.DeleteResponse;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.GetResponse;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvStateMachine;
import dev.aspen.kv.LeaseExpiry;
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
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** {@link KeyValueStore} over a {@link CommandLog}: encodes requests, unwraps typed results. */
public final class LogKeyValueStore implements KeyValueStore {
    private final CommandLog log;
    private final KvStateMachine local;
    private final LeaseExpiry expiry;

    /** {@code expiry} may be null (then lease remaining time is reported as -1). */
    public LogKeyValueStore(CommandLog log, KvStateMachine local, LeaseExpiry expiry) {
        if (log == null || local == null) {
            throw new IllegalArgumentException("log and local state machine must be set");
        }
        this.log = log;
        this.local = local;
        this.expiry = expiry;
    }

    @Override
    public CompletableFuture<PutResponse> put(byte[] key, byte[] value, long lease, boolean prevKv) {
        return propose(() -> new Command.Put(new TxnOp.Put(key, value, lease, prevKv)), PutResponse.class);
    }

    @Override
    public CompletableFuture<GetResponse> get(byte[] key, ReadConsistency consistency) {
        return read(() -> new Query.Get(key, minRevision(consistency)), consistency, GetResponse.class);
    }

    @Override
    public CompletableFuture<DeleteResponse> delete(KeyRange range, boolean prevKv) {
        return propose(() -> new Command.Delete(new TxnOp.Delete(range, prevKv)), DeleteResponse.class);
    }

    @Override
    public CompletableFuture<PutAllResponse> putAll(List<TxnOp.Put> puts) {
        return propose(() -> new Command.PutAll(List.copyOf(puts)), PutAllResponse.class);
    }

    @Override
    public CompletableFuture<ScanResponse> scan(
            KeyRange range, int limit, boolean keysOnly, ReadConsistency consistency) {
        return read(
                () -> new Query.Scan(new TxnOp.Scan(range, limit, keysOnly), minRevision(consistency)),
                consistency,
                ScanResponse.class);
    }

    @Override
    public CompletableFuture<TxnResponse> txn(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) {
        return propose(
                () -> new Command.Txn(List.copyOf(compares), List.copyOf(success), List.copyOf(failure)),
                TxnResponse.class);
    }

    @Override
    public CompletableFuture<LeaseResponse> leaseGrant(long ttlSeconds) {
        return propose(() -> new Command.LeaseGrant(ttlSeconds), LeaseResponse.class);
    }

    @Override
    public CompletableFuture<LeaseResponse> leaseKeepAlive(long leaseId) {
        CompletableFuture<LeaseResponse> renewed =
                propose(() -> new Command.LeaseKeepAlive(leaseId), LeaseResponse.class);
        if (expiry == null) {
            return renewed;
        }
        // An expiry decided before this keep-alive was applied can still remove the lease after it.
        return renewed.thenCompose(r -> expiry.renewalHolds(leaseId)
                ? CompletableFuture.completedFuture(r)
                : CompletableFuture.failedFuture(KvException.of(
                        ErrorCode.LEASE_NOT_FOUND,
                        "lease " + leaseId + " expired: its expiry was under way when the keep-alive arrived")));
    }

    @Override
    public CompletableFuture<LeaseRevokeResponse> leaseRevoke(long leaseId) {
        return propose(() -> new Command.LeaseRevoke(leaseId), LeaseRevokeResponse.class);
    }

    @Override
    public CompletableFuture<LeaseTimeToLiveResponse> leaseTimeToLive(long leaseId, ReadConsistency consistency) {
        return read(
                        () -> new Query.LeaseTimeToLive(leaseId, minRevision(consistency)),
                        consistency,
                        LeaseTimeToLiveResponse.class)
                .thenApply(r -> expiry == null
                        ? r
                        : new LeaseTimeToLiveResponse(
                                r.id(), r.grantedTtlSeconds(), expiry.remainingMillis(r.id()), r.keys(), r.revision()));
    }

    @Override
    public CompletableFuture<Watch> watch(KeyRange range, long startRevision, boolean prevKv, WatchListener listener) {
        try {
            return CompletableFuture.completedFuture(local.watch(range, startRevision, prevKv, listener));
        } catch (KvException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static long minRevision(ReadConsistency consistency) {
        if (consistency == null) {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, "read consistency must be set");
        }
        return consistency.minRevision();
    }

    private <T> CompletableFuture<T> propose(Supplier<Command> command, Class<T> type) {
        byte[] bytes;
        try {
            bytes = CommandCodec.encode(command.get());
        } catch (KvException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(
                    KvException.of(ErrorCode.INVALID_ARGUMENT, "bad request: " + e.getMessage()));
        }
        return log.propose(bytes).thenCompose(r -> unwrap(r, type));
    }

    private <T> CompletableFuture<T> read(Supplier<Query> query, ReadConsistency consistency, Class<T> type) {
        byte[] bytes;
        try {
            bytes = CommandCodec.encode(query.get());
        } catch (KvException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(
                    KvException.of(ErrorCode.INVALID_ARGUMENT, "bad request: " + e.getMessage()));
        }
        return log.read(bytes, consistency).thenCompose(r -> unwrap(r, type));
    }

    private static <T> CompletableFuture<T> unwrap(Object result, Class<T> type) {
        if (result instanceof KvException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (type.isInstance(result)) {
            return CompletableFuture.completedFuture(type.cast(result));
        }
        return CompletableFuture.failedFuture(
                new IllegalStateException("expected " + type.getSimpleName() + " but the log returned " + result));
    }
}
