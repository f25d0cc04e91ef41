package dev.aspen.consensus;

/** How fresh a query must be. */
public sealed interface ReadConsistency {
    /**
     * Linearizable: the leader confirms its leadership with a quorum round (read-index) and runs the
     * query at or after the commit index current when the query arrived. Fails with {@link
     * NotLeaderException} on a follower.
     */
    static ReadConsistency linearizable() {
        return Linearizable.INSTANCE;
    }

    /**
     * Leader lease: the leader answers locally while a quorum heartbeated it within the heartbeat
     * timeout. Cheaper, but not strictly linearizable under clock drift or long pauses. Fails with
     * {@link NotLeaderException} on a follower.
     */
    static ReadConsistency lease() {
        return Lease.INSTANCE;
    }

    /**
     * Stale: local on any node, after its applied index reaches {@code minIndex}; waits at most
     * {@link RaftGroupConfig#staleReadWait()} and then fails with {@link LaggingIndexException}.
     */
    static ReadConsistency stale(long minIndex) {
        return new Stale(minIndex);
    }

    /** See {@link ReadConsistency#linearizable()}. */
    enum Linearizable implements ReadConsistency {
        INSTANCE
    }

    /** See {@link ReadConsistency#lease()}. */
    enum Lease implements ReadConsistency {
        INSTANCE
    }

    /**
     * See {@link ReadConsistency#stale(long)}.
     *
     * @param minIndex the applied index the node must reach first; 0 for "whatever is local"
     */
    record Stale(long minIndex) implements ReadConsistency {
        /** Rejects a negative index. */
        public Stale {
            if (minIndex < 0) {
                throw new IllegalArgumentException("minIndex must be >= 0, got " + minIndex);
            }
        }
    }
}
