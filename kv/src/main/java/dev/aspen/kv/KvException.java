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

    private KvException(ErrorCode code, String message, String leaderId, long oldestRevision, long requestedRevision) {
        super(code.wireName() + ": " + message, null, false, false);
        this.code = code;
        this.leaderId = leaderId;
        this.oldestRevision = oldestRevision;
        this.requestedRevision = requestedRevision;
    }

    /** A failure with {@code code} and a message saying what was wrong. */
    public static KvException of(ErrorCode code, String message) {
        if (code == ErrorCode.NOT_LEADER || code == ErrorCode.COMPACTED) {
            throw new IllegalArgumentException("use notLeader(...) or compacted(...) for " + code);
        }
        return new KvException(code, message, null, -1, -1);
    }

    /** {@code not_leader}; {@code leaderId} is the leader's id text, or null when unknown. */
    public static KvException notLeader(String leaderId) {
        String message = leaderId == null ? "leader unknown" : "leader is " + leaderId;
        return new KvException(ErrorCode.NOT_LEADER, message, leaderId, -1, -1);
    }

    /** {@code compacted}: {@code requested} is older than {@code oldestRevision}. */
    public static KvException compacted(long requested, long oldestRevision) {
        String message = "revision " + requested + " is compacted; oldest available is " + oldestRevision;
        return new KvException(ErrorCode.COMPACTED, message, null, oldestRevision, requested);
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
