package dev.aspen.mesh.node;

import dev.aspen.kv.Compare;
import dev.aspen.kv.DeleteResponse;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.GetResponse;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvException;
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
import dev.aspen.tickets.NodeId;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's store, with every call that fails with {@code not_leader} naming a leader sent once
 * more to that leader over the client protocol. Such a call was refused before anything was
 * appended, so sending it again cannot apply it twice. Watches and stale reads stay local (they
 * never need the leader). What the HTTP API serves, so a follower answers writes and linearizable
 * reads like the leader does.
 */
final class LeaderForwardingStore implements KeyValueStore {
    private static final Logger log = LoggerFactory.getLogger(LeaderForwardingStore.class);

    /** Opens a client for a leader's client protocol. */
    @FunctionalInterface
    interface LeaderClients {
        /** A store that calls {@code leader} remotely; cached and closed by the implementation. */
        KeyValueStore to(NodeId leader) throws IOException;
    }

    private final KeyValueStore local;
    private final LeaderClients leaders;

    LeaderForwardingStore(KeyValueStore local, LeaderClients leaders) {
        this.local = local;
        this.leaders = leaders;
    }

    private <T> CompletableFuture<T> viaLeader(Function<KeyValueStore, CompletableFuture<T>> call) {
        return call.apply(local).exceptionallyCompose(failure -> {
            Optional<NodeId> leader = leaderOf(failure);
            if (leader.isEmpty()) {
                return CompletableFuture.failedFuture(failure);
            }
            try {
                return call.apply(leaders.to(leader.get()));
            } catch (IOException e) {
                log.debug("cannot reach leader {}: {}", leader.get(), e.getMessage());
                return CompletableFuture.failedFuture(KvException.of(
                        ErrorCode.UNAVAILABLE, "this node is not the leader and cannot reach leader " + leader.get()));
            }
        });
    }

    private static Optional<NodeId> leaderOf(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof KvException kv && kv.code() == ErrorCode.NOT_LEADER) {
            try {
                return kv.leaderId().map(NodeId::parse);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    @Override
    public CompletableFuture<PutResponse> put(byte[] key, byte[] value, long lease, boolean prevKv) {
        return viaLeader(store -> store.put(key, value, lease, prevKv));
    }

    @Override
    public CompletableFuture<GetResponse> get(byte[] key, ReadConsistency consistency) {
        return viaLeader(store -> store.get(key, consistency));
    }

    @Override
    public CompletableFuture<DeleteResponse> delete(KeyRange range, boolean prevKv) {
        return viaLeader(store -> store.delete(range, prevKv));
    }

    @Override
    public CompletableFuture<PutAllResponse> putAll(List<TxnOp.Put> puts) {
        return viaLeader(store -> store.putAll(puts));
    }

    @Override
    public CompletableFuture<ScanResponse> scan(
            KeyRange range, int limit, boolean keysOnly, ReadConsistency consistency) {
        return viaLeader(store -> store.scan(range, limit, keysOnly, consistency));
    }

    @Override
    public CompletableFuture<TxnResponse> txn(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) {
        return viaLeader(store -> store.txn(compares, success, failure));
    }

    @Override
    public CompletableFuture<LeaseResponse> leaseGrant(long ttlSeconds) {
        return viaLeader(store -> store.leaseGrant(ttlSeconds));
    }

    @Override
    public CompletableFuture<LeaseResponse> leaseKeepAlive(long leaseId) {
        return viaLeader(store -> store.leaseKeepAlive(leaseId));
    }

    @Override
    public CompletableFuture<LeaseRevokeResponse> leaseRevoke(long leaseId) {
        return viaLeader(store -> store.leaseRevoke(leaseId));
    }

    @Override
    public CompletableFuture<LeaseTimeToLiveResponse> leaseTimeToLive(long leaseId, ReadConsistency consistency) {
        return viaLeader(store -> store.leaseTimeToLive(leaseId, consistency));
    }

    @Override
    public CompletableFuture<Watch> watch(KeyRange range, long startRevision, boolean prevKv, WatchListener listener) {
        return local.watch(range, startRevision, prevKv, listener);
    }
}
