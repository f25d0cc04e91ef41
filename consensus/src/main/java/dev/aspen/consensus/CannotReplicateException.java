package dev.aspen.consensus;

import java.util.Optional;

/**
 * The group cannot take new requests right now (code {@code unavailable}): the leader has not yet
 * committed an entry of its term, too many entries are pending, or the node's queue is full. Safe
 * to retry after a short back-off: nothing was appended.
 */
public final class CannotReplicateException extends RaftGroupException {
    private final transient NodeEndpoint leader;

    /** Creates the exception; {@code leader} may be null. */
    public CannotReplicateException(String message, NodeEndpoint leader) {
        super(RaftErrorCode.UNAVAILABLE, message);
        this.leader = leader;
    }

    /** The leader this node knows of, if any. */
    public Optional<NodeEndpoint> leader() {
        return Optional.ofNullable(leader);
    }
}
