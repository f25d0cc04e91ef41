package dev.aspen.consensus;

/**
 * Stable error codes of the Raft group API. The {@link #wireName()} survives the wire and maps to
 * client-visible errors; never rename one.
 */
public enum RaftErrorCode {
    /** This node is not the leader; the exception may name the leader to redirect to. */
    NOT_LEADER("not_leader"),
    /** The group cannot accept the request now (no leader yet, too many pending entries, queue full). */
    UNAVAILABLE("unavailable"),
    /** The request may or may not have been committed; the caller must find out before retrying. */
    INDETERMINATE("indeterminate"),
    /** Another membership change is in progress; retry after it completes. */
    MEMBERSHIP_CHANGE_PENDING("membership_change_pending"),
    /** A stale read could not reach the requested index in time. */
    LAGGING("lagging"),
    /** The group was terminated, or this node was removed from it. */
    TERMINATED("terminated"),
    /** The request is invalid (for example adding a member that already exists). */
    INVALID_ARGUMENT("invalid_argument"),
    /** The operation did not finish within its time bound (for example a leadership transfer). */
    TIMEOUT("timeout"),
    /** A bug or a local storage failure; the group stops rather than diverge. */
    INTERNAL("internal");

    private final String wireName;

    RaftErrorCode(String wireName) {
        this.wireName = wireName;
    }

    /** The stable, lower-case name used on the wire and in logs. */
    public String wireName() {
        return wireName;
    }
}
