package dev.aspen.consensus.internal;

import dev.aspen.consensus.CannotReplicateException;
import dev.aspen.consensus.GroupTerminatedException;
import dev.aspen.consensus.IndeterminateStateException;
import dev.aspen.consensus.LaggingIndexException;
import dev.aspen.consensus.MembershipChangePendingException;
import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.NotLeaderException;
import dev.aspen.consensus.RaftErrorCode;
import dev.aspen.consensus.RaftGroupException;
import io.microraft.RaftEndpoint;
import io.microraft.exception.LaggingCommitIndexException;
import io.microraft.exception.MismatchingRaftGroupMembersCommitIndexException;
import io.microraft.exception.RaftException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Maps MicroRaft's exceptions to Aspen's {@link RaftGroupException} family. */
final class Errors {
    private Errors() {}

    static RaftGroupException map(Throwable thrown) {
        Throwable t = unwrap(thrown);
        if (t instanceof RaftGroupException aspen) {
            return aspen;
        }
        if (t instanceof io.microraft.exception.NotLeaderException e) {
            return new NotLeaderException(e.getMessage(), endpoint(e.getLeader()));
        }
        if (t instanceof io.microraft.exception.CannotReplicateException e) {
            return new CannotReplicateException(e.getMessage(), endpoint(e.getLeader()));
        }
        if (t instanceof io.microraft.exception.IndeterminateStateException) {
            return new IndeterminateStateException(
                    "leadership was lost after the command was appended; it may or may" + " not be committed");
        }
        if (t instanceof LaggingCommitIndexException e) {
            return new LaggingIndexException(e.getMessage());
        }
        if (t instanceof MismatchingRaftGroupMembersCommitIndexException e) {
            return new MembershipChangePendingException(
                    "the committed member list changed concurrently (now at index " + e.getCommitIndex() + ")");
        }
        if (t instanceof TimeoutException) {
            return new RaftGroupException(RaftErrorCode.TIMEOUT, String.valueOf(t.getMessage()), t);
        }
        if (t instanceof IllegalArgumentException) {
            return new RaftGroupException(RaftErrorCode.INVALID_ARGUMENT, t.getMessage(), t);
        }
        if (t instanceof IllegalStateException) {
            return mapIllegalState(t);
        }
        if (t instanceof RaftException e && e.getCause() == null) {
            return new RaftGroupException(RaftErrorCode.INTERNAL, e.getMessage(), e);
        }
        return new RaftGroupException(RaftErrorCode.INTERNAL, "Raft failure: " + t, t);
    }

    private static RaftGroupException mapIllegalState(Throwable t) {
        String message = String.valueOf(t.getMessage());
        if (message.contains("is not running")) {
            return new GroupTerminatedException(message);
        }
        if (message.contains("capacity") || message.contains("not started")) {
            return new CannotReplicateException(message, null);
        }
        return new RaftGroupException(RaftErrorCode.INVALID_ARGUMENT, message, t);
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    static NodeEndpoint endpoint(RaftEndpoint endpoint) {
        return endpoint instanceof NodeEndpoint node ? node : null;
    }
}
