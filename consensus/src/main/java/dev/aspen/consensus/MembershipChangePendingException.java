package dev.aspen.consensus;

/** Another membership change is in progress (only one may run at a time); retry after it ends. */
public final class MembershipChangePendingException extends RaftGroupException {
    /** Creates the exception. */
    public MembershipChangePendingException(String message) {
        super(RaftErrorCode.MEMBERSHIP_CHANGE_PENDING, message);
    }
}
