package dev.aspen.consensus;

import dev.aspen.tickets.NodeId;
import io.microraft.RaftEndpoint;

/**
 * A Raft group member, identified by the {@link NodeId} its peers pin. This is the only {@link
 * RaftEndpoint} implementation Aspen puts on the wire or on disk.
 */
public record NodeEndpoint(NodeId nodeId) implements RaftEndpoint {
    /** Returns the {@link NodeId}. */
    @Override
    public Object getId() {
        return nodeId;
    }

    @Override
    public String toString() {
        return nodeId.toString();
    }
}
