package dev.aspen.consensus;

/** The group was terminated locally, failed, or this node was removed from it. Not retryable here. */
public final class GroupTerminatedException extends RaftGroupException {
    /** Creates the exception. */
    public GroupTerminatedException(String message) {
        super(RaftErrorCode.TERMINATED, message);
    }
}
