package dev.aspen.kv;

/**
 * How fresh a read must be.
 *
 * @param mode the consistency mode
 * @param minRevision for {@link Mode#STALE}: the local state must have reached at least this
 *     revision, else the read fails with {@code unavailable}; 0 for no minimum
 */
public record ReadConsistency(Mode mode, long minRevision) {
    /** Consistency modes. */
    public enum Mode {
        /** Read-index through the leader: sees every write acknowledged before the read started. */
        LINEARIZABLE,
        /** Served by the leader under its lease, without a quorum round trip. */
        LEASE,
        /** Served from local state, possibly behind the leader. */
        STALE
    }

    /** The default: linearizable. */
    public static final ReadConsistency LINEARIZABLE = new ReadConsistency(Mode.LINEARIZABLE, 0);
    /** Leader-lease reads. */
    public static final ReadConsistency LEASE = new ReadConsistency(Mode.LEASE, 0);

    /** Validates the fields. */
    public ReadConsistency {
        if (mode == null) {
            throw new IllegalArgumentException("mode must not be null");
        }
        if (minRevision < 0 || (mode != Mode.STALE && minRevision != 0)) {
            throw new IllegalArgumentException("minRevision must be >= 0 and only set for STALE, was " + minRevision);
        }
    }

    /** A local read with no minimum revision. */
    public static ReadConsistency stale() {
        return new ReadConsistency(Mode.STALE, 0);
    }

    /** A local read that fails with {@code unavailable} until the node has applied {@code minRevision}. */
    public static ReadConsistency stale(long minRevision) {
        return new ReadConsistency(Mode.STALE, minRevision);
    }
}
