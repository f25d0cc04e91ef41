package dev.aspen.kv;

import java.util.Optional;

/**
 * A typed failure of a key/value operation. Futures returned by {@link KeyValueStore} complete
 * exceptionally with this exception; the state machine returns it as a value, never throws it.
 */
public final class KvException extends RuntimeException {
    private final ErrorCode code;
    private final String leaderId;
    private final long oldestRevision;
    private final long requestedRevision;
    private final boolean unreachable;

    private KvException(
            ErrorCode code,
            String message,
            String leaderId,
            long oldestRevision,
            long requestedRevision,
            boolean unreachable) {
        super(code.wireName() + ": " + message, null, false, false);
        this.code = code;
        this.leaderId = leaderId;
        this.oldestRevision = oldestRevision;
        this.requestedRevision = requestedRevision;
        this.unreachable = unreachable;
    }

    /**
     * {@code unavailable} because no node answered: the connection was lost or the call timed out.
     * Unlike an {@code unavailable} answer from a node, a write that fails this way may still have
     * been applied. Local to this process: the wire carries only the code and message.
     */
    public static KvException unreachable(String message) {
        return new KvException(ErrorCode.UNAVAILABLE, message, null, -1, -1, true);
    }

    /** A failure with {@code code} and a message saying what was wrong. */
    public static KvException of(ErrorCode code, String message) {
        if (code == ErrorCode.NOT_LEADER || code == ErrorCode.COMPACTED) {
            throw new IllegalArgumentException("use notLeader(...) or compacted(...) for " + code);
        }
        return new KvException(code, message, null, -1, -1, false);
    }

    /** {@code not_leader}; {@code leaderId} is the leader's id text, or null when unknown. */
    public static KvException notLeader(String leaderId) {
        String message = leaderId == null ? "leader unknown" : "leader is " + leaderId;
        return new KvException(ErrorCode.NOT_LEADER, message, leaderId, -1, -1, false);
    }

    /** {@code compacted}: {@code requested} is older than {@code oldestRevision}. */
    public static KvException compacted(long requested, long oldestRevision) {
        String message = "revision " + requested + " is compacted; oldest available is " + oldestRevision;
        return new KvException(ErrorCode.COMPACTED, message, null, oldestRevision, requested, false);
    }

    /** True for {@link #unreachable}: no node answered, so a write's outcome is unknown. */
    public boolean unreachable() {
        return unreachable;
    }

    /** The stable code. */
    public ErrorCode code() {
        return code;
    }

    /** The leader's id text for {@code not_leader} when known, else empty. */
    public Optional<String> leaderId() {
        return Optional.ofNullable(leaderId);
    }

    /** The oldest available revision for {@code compacted}, else -1. */
    public long oldestRevision() {
        return oldestRevision;
    }

    /** The revision a {@code compacted} failure asked for (so codecs can rebuild it), else -1. */
    public long requestedRevision() {
        return requestedRevision;
    }
}
