package dev.aspen.consensus;

import java.util.Objects;

/**
 * A failure of a Raft group operation, with a stable {@link RaftErrorCode}. Futures returned by
 * {@link RaftGroup} fail with this type (or a subclass) only; MicroRaft's own exceptions never
 * escape.
 */
public class RaftGroupException extends RuntimeException {
    private final RaftErrorCode code;

    /** Creates an exception with the given code, message and optional cause. */
    public RaftGroupException(RaftErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** Creates an exception with the given code and message. */
    public RaftGroupException(RaftErrorCode code, String message) {
        this(code, message, null);
    }

    /** The stable error code. */
    public RaftErrorCode code() {
        return code;
    }
}
