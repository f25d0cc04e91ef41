package dev.aspen.mesh.rpc;

/**
 * A request that did not get a response: timed out, refused by the server's transport layer, or
 * lost with its connection. Application errors travel inside responses, not as this exception.
 */
public final class RpcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the request failed. */
    public enum Kind {
        /** No response within the request timeout; the request may or may not have been applied. */
        TIMEOUT,
        /** The connection closed before the response; the request may or may not have been applied. */
        CONNECTION_LOST,
        /** The server refused the request before handing it to the application (e.g. overloaded). */
        REFUSED,
        /** This client already has its maximum number of requests in flight. */
        TOO_MANY_IN_FLIGHT
    }

    private final Kind kind;

    public RpcException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
