package dev.aspen.mesh.node;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.ForwardingKeyValueStore;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvOperation;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.tickets.NodeId;
import java.io.IOException;
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
final class LeaderForwardingStore extends ForwardingKeyValueStore {
    private static final Logger log = LoggerFactory.getLogger(LeaderForwardingStore.class);

    /** Opens a client for a leader's client protocol. */
    @FunctionalInterface
    interface LeaderClients {
        /** A store that calls {@code leader} remotely; cached and closed by the implementation. */
        KeyValueStore to(NodeId leader) throws IOException;
    }

    private final LeaderClients leaders;

    LeaderForwardingStore(KeyValueStore local, LeaderClients leaders) {
        super(local);
        this.leaders = leaders;
    }

    @Override
    protected <T> CompletableFuture<T> around(
            KvOperation op, ReadConsistency consistency, Function<KeyValueStore, CompletableFuture<T>> call) {
        if (op == KvOperation.WATCH) {
            return call.apply(delegate());
        }
        return call.apply(delegate()).exceptionallyCompose(failure -> {
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
}
