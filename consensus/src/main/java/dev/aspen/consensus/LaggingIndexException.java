package dev.aspen.consensus;

/**
 * A read asked for a minimum index this node did not reach in time (code {@code lagging}). The
 * caller may retry here or on another node.
 */
public final class LaggingIndexException extends RaftGroupException {
    /** Creates the exception. */
    public LaggingIndexException(String message) {
        super(RaftErrorCode.LAGGING, message);
    }
}
