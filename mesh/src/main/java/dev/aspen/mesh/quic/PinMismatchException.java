package dev.aspen.mesh.quic;

import dev.aspen.tickets.NodeId;
import java.io.IOException;
import java.net.InetSocketAddress;

/** The server at an address is not the node that was expected there: an impostor or a stale address. */
public final class PinMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient NodeId expected;
    private final transient NodeId actual;

    PinMismatchException(NodeId expected, NodeId actual, InetSocketAddress address) {
        super("the server at " + address + " is node " + actual + ", not the expected node " + expected);
        this.expected = expected;
        this.actual = actual;
    }

    public NodeId expected() {
        return expected;
    }

    public NodeId actual() {
        return actual;
    }
}
