package dev.aspen.kv;

import java.util.Locale;

/**
 * Stable error codes of the key/value store. The {@link #wireName()} is what crosses the wire and
 * what front ends show (and map to HTTP statuses); it never changes once released.
 */
public enum ErrorCode {
    /** The addressed object does not exist (front ends map an absent key to this). */
    NOT_FOUND,
    /** The request is malformed: empty key, bad range, unknown command, bad encoding. */
    INVALID_ARGUMENT,
    /** The request is valid but the state does not allow it: the store is full (keys, bytes or leases). */
    FAILED_PRECONDITION,
    /** A watch asked for a revision older than the retained history; carries the oldest one. */
    COMPACTED,
    /** The lease does not exist (never granted, revoked or expired). */
    LEASE_NOT_FOUND,
    /** A request size or count limit was exceeded (key, value, txn, scan limit, watchers per node). */
    TOO_LARGE,
    /** The store cannot serve the request now (closed, or a stale read ahead of local state). */
    UNAVAILABLE,
    /** This node is not the leader; carries the leader's id when known. */
    NOT_LEADER;

    /** The lower-case wire name, for example {@code not_found}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The code with this wire name.
     *
     * @throws IllegalArgumentException naming the text when no code has that name
     */
    public static ErrorCode fromWireName(String wireName) {
        for (ErrorCode code : values()) {
            if (code.wireName().equals(wireName)) {
                return code;
            }
        }
        throw new IllegalArgumentException("unknown error code '" + wireName + "'");
    }
}
