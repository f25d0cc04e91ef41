package dev.aspen.consensus;

import java.util.Optional;

/** This node is not the leader. {@link #leader()} names the leader to redirect to, if known. */
public final class NotLeaderException extends RaftGroupException {
    private final transient NodeEndpoint leader;

    /** Creates the exception; {@code leader} may be null when no leader is known. */
    public NotLeaderException(String message, NodeEndpoint leader) {
        super(RaftErrorCode.NOT_LEADER, message);
        this.leader = leader;
    }

    /** The leader this node knows of, for redirection; empty if none is known. */
    public Optional<NodeEndpoint> leader() {
        return Optional.ofNullable(leader);
    }
}
