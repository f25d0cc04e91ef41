package dev.aspen.consensus.internal;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftTransport;
import io.microraft.RaftEndpoint;
import io.microraft.model.message.RaftMessage;
import io.microraft.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Adapts Aspen's {@link RaftTransport} to MicroRaft; a failing transport never breaks the node. */
final class TransportAdapter implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(TransportAdapter.class);

    private final RaftTransport transport;

    TransportAdapter(RaftTransport transport) {
        this.transport = transport;
    }

    @Override
    public void send(RaftEndpoint target, RaftMessage message) {
        if (!(target instanceof NodeEndpoint endpoint)) {
            // MicroRaft 0.7 answers a snapshot chunk sent by a follower to "the leader" even when it
            // knows none (target null): nothing can be sent then.
            LOG.debug(
                    "Dropping {}: target {} is not a NodeEndpoint",
                    message.getClass().getSimpleName(),
                    target);
            return;
        }
        try {
            transport.send(endpoint, message);
        } catch (RuntimeException e) {
            LOG.warn("Transport failed to send {} to {}", message.getClass().getSimpleName(), target, e);
        }
    }

    @Override
    public boolean isReachable(RaftEndpoint endpoint) {
        try {
            return endpoint instanceof NodeEndpoint node && transport.isReachable(node);
        } catch (RuntimeException e) {
            LOG.warn("Transport failed to check reachability of {}", endpoint, e);
            return false;
        }
    }
}
