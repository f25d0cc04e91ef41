package dev.aspen.mesh.node;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.ForwardingKeyValueStore;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvOperation;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.tickets.NodeId;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's store, with every call that fails with {@code not_leader} naming a leader sent once
 * more to that leader over the client protocol. Such a call was refused before anything was
 * appended, so sending it again cannot apply it twice. Watches and stale reads stay local (they
 * never need the leader). What the HTTP API serves, so a follower answers writes and linearizable
 * reads like the leader does.
 *
 * <p>Failover: once a call forwarded to a leader went unanswered ({@link KvException#unreachable}),
 * that leader is presumed dead for {@link #HOLD}. Calls that Raft still sends its way meanwhile are
 * not forwarded into the same silence: they wait, up to {@link #HOLD}, until this node knows
 * another leader, and then run again (locally, or forwarded to the new leader). They were sent
 * nowhere before, so running them then is safe. A crashed leader thus costs a client at most the
 * one call that was in flight to it; the next ones just take until the election is over.
 */
final class LeaderForwardingStore extends ForwardingKeyValueStore {
    private static final Logger log = LoggerFactory.getLogger(LeaderForwardingStore.class);

    /**
     * How long a leader that left a forwarded call unanswered is presumed dead, and how long a call
     * waits for the next leader: more than a failure detection plus an election (2 to 3 s).
     */
    static final Duration HOLD = Duration.ofSeconds(4);

    /** Where forwarded calls go, and news of the next leader. */
    interface Leaders {
        /** A store that calls {@code leader} remotely; cached and closed by the implementation. */
        KeyValueStore to(NodeId leader) throws IOException;

        /** The leader this node knows of now, if any. */
        Optional<NodeId> known();
    }

    /** How often a waiting call looks for the next leader. */
    private static final long POLL_MILLIS = 20;

    private record Silent(NodeId leader, long untilNanos) {}

    private final Leaders leaders;
    private final ScheduledExecutorService timers;
    private final AtomicReference<Silent> silent = new AtomicReference<>();

    /** @param timers runs the checks of calls waiting for the next leader */
    LeaderForwardingStore(KeyValueStore local, Leaders leaders, ScheduledExecutorService timers) {
        super(local);
        this.leaders = leaders;
        this.timers = timers;
    }

    @Override
    protected <T> CompletableFuture<T> around(
            KvOperation op, ReadConsistency consistency, Function<KeyValueStore, CompletableFuture<T>> call) {
        if (op == KvOperation.WATCH) {
            return call.apply(delegate());
        }
        return attempt(call, true);
    }

    private <T> CompletableFuture<T> attempt(Function<KeyValueStore, CompletableFuture<T>> call, boolean mayWait) {
        return call.apply(delegate()).exceptionallyCompose(failure -> {
            Optional<NodeId> leader = leaderOf(failure);
            if (leader.isEmpty()) {
                return CompletableFuture.failedFuture(failure);
            }
            NodeId named = leader.get();
            if (mayWait && presumedDead(named)) {
                var next = new CompletableFuture<Void>();
                awaitOtherLeader(named, System.nanoTime() + HOLD.toNanos(), next);
                return next.handle((ignored, timeout) -> timeout == null
                                ? attempt(call, false)
                                : CompletableFuture.<T>failedFuture(KvException.of(
                                        ErrorCode.UNAVAILABLE,
                                        "leader " + named + " stopped answering and no other leader was elected within "
                                                + HOLD.toSeconds() + " s")))
                        .thenCompose(Function.identity());
            }
            return forward(named, call);
        });
    }

    /** Completes {@code next} once this node knows a leader other than {@code named}; fails it at the deadline. */
    private void awaitOtherLeader(NodeId named, long deadlineNanos, CompletableFuture<Void> next) {
        Optional<NodeId> known = leaders.known();
        if (known.isPresent() && !known.get().equals(named)) {
            next.complete(null);
        } else if (System.nanoTime() - deadlineNanos >= 0) {
            next.completeExceptionally(new TimeoutException());
        } else {
            try {
                timers.schedule(() -> awaitOtherLeader(named, deadlineNanos, next), POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                next.completeExceptionally(e); // the node is closing
            }
        }
    }

    private <T> CompletableFuture<T> forward(NodeId leader, Function<KeyValueStore, CompletableFuture<T>> call) {
        KeyValueStore remote;
        try {
            remote = leaders.to(leader);
        } catch (IOException e) {
            log.debug("cannot reach leader {}: {}", leader, e.getMessage());
            return CompletableFuture.failedFuture(KvException.of(
                    ErrorCode.UNAVAILABLE, "this node is not the leader and cannot reach leader " + leader));
        }
        return call.apply(remote).whenComplete((result, failure) -> {
            if (failure == null) {
                silent.updateAndGet(s -> s != null && s.leader().equals(leader) ? null : s);
            } else if (unwrap(failure) instanceof KvException kv && kv.unreachable()) {
                silent.set(new Silent(leader, System.nanoTime() + HOLD.toNanos()));
            }
        });
    }

    private boolean presumedDead(NodeId leader) {
        Silent s = silent.get();
        return s != null && s.leader().equals(leader) && System.nanoTime() - s.untilNanos() < 0;
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static Optional<NodeId> leaderOf(Throwable failure) {
        if (unwrap(failure) instanceof KvException kv && kv.code() == ErrorCode.NOT_LEADER) {
            try {
                return kv.leaderId().map(NodeId::parse);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
