package dev.aspen.kv;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.NotLeaderException;
import dev.aspen.consensus.RaftGroup;
import dev.aspen.consensus.RaftGroupException;
import dev.aspen.consensus.Result;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The {@link CommandLog} of a replicated node: commands go through {@link RaftGroup#replicate},
 * reads through {@link RaftGroup#query} with the matching consistency. The group's state machine
 * must be the {@link KvStateMachine} this log's store reads.
 *
 * <p>Failures become {@link KvException}s: {@code not_leader} with the leader's NodeId text when
 * known; everything else (no leader yet, too many pending entries, an outcome that is unknown
 * after a leader change, a terminated group) is {@code unavailable} with the Raft reason in the
 * message. A stale read's minimum revision is checked by the state machine, so the group is asked
 * for a plain local read.
 */
public final class RaftCommandLog implements CommandLog {
    private final RaftGroup group;

    public RaftCommandLog(RaftGroup group) {
        this.group = group;
    }

    @Override
    public CompletableFuture<Object> propose(byte[] command) {
        return unwrap(group.replicate(command));
    }

    @Override
    public CompletableFuture<Object> read(byte[] query, ReadConsistency consistency) {
        dev.aspen.consensus.ReadConsistency raft =
                switch (consistency.mode()) {
                    case LINEARIZABLE -> dev.aspen.consensus.ReadConsistency.linearizable();
                    case LEASE -> dev.aspen.consensus.ReadConsistency.lease();
                    case STALE -> dev.aspen.consensus.ReadConsistency.stale(0);
                };
        return unwrap(group.query(query, raft));
    }

    private static CompletableFuture<Object> unwrap(CompletableFuture<Result> result) {
        return result.handle((value, failure) -> {
            if (failure == null) {
                return value.value();
            }
            throw translate(
                    failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause()
                            : failure);
        });
    }

    static KvException translate(Throwable failure) {
        // The state machine answers a refused command with a KvException value; MicroRaft completes
        // the future exceptionally with it, and the Raft layer wraps it as an internal failure.
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof KvException kv) {
                return kv;
            }
        }
        if (failure instanceof NotLeaderException notLeader) {
            return KvException.notLeader(notLeader
                    .leader()
                    .map(NodeEndpoint::nodeId)
                    .map(Object::toString)
                    .orElse(null));
        }
        if (failure instanceof RaftGroupException raft) {
            return KvException.of(ErrorCode.UNAVAILABLE, raft.code().wireName() + ": " + raft.getMessage());
        }
        return KvException.of(ErrorCode.UNAVAILABLE, "replication failed: " + failure);
    }
}
