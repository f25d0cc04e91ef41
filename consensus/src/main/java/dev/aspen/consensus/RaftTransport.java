package dev.aspen.consensus;

import io.microraft.model.message.RaftMessage;

/**
 * Outbound messages of one Raft group member; implemented by the node's network layer. The
 * receiving side passes each message to {@link RaftGroup#handle(RaftMessage)} of the group with
 * the same id.
 *
 * <p>Both methods are called on the group's Raft thread: they <b>must not block</b> and must not
 * throw. Delivery is best effort: Raft tolerates loss, duplication and reordering, so a message
 * that cannot be sent now (no connection, full buffer) is simply dropped.
 */
public interface RaftTransport {
    /** Queues {@code message} for {@code target}; returns at once; never throws. */
    void send(NodeEndpoint target, RaftMessage message);

    /**
     * Whether {@code endpoint} is believed reachable now (for example, a connection is open). May be
     * imprecise; must be cheap and non-blocking.
     */
    boolean isReachable(NodeEndpoint endpoint);
}
