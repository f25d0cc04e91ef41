package dev.aspen.consensus;

/**
 * The leader lost its leadership after appending the command: it may or may not be committed.
 * Retrying blindly may apply it twice; make commands idempotent or check before retrying.
 */
public final class IndeterminateStateException extends RaftGroupException {
    /** Creates the exception. */
    public IndeterminateStateException(String message) {
        super(RaftErrorCode.INDETERMINATE, message);
    }
}
