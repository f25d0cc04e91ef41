package dev.aspen.consensus.internal;

import dev.aspen.consensus.RaftErrorCode;
import dev.aspen.consensus.RaftGroupException;

/**
 * A lease read reached a new leader that has not yet applied every entry it was elected with; the
 * group serves it as a linearizable read instead (never seen by callers).
 */
final class LeaseNotReadyException extends RaftGroupException {
    LeaseNotReadyException(long applied, long floor) {
        super(
                RaftErrorCode.UNAVAILABLE,
                "the new leader has applied up to index " + applied + " of the " + floor
                        + " it was elected with; a lease read must wait");
    }
}
