package dev.aspen.tests.chaos;

/**
 * One step of a lease cycle as its client saw it. Each cycle has its own key (never touched by the
 * register workload), so lease histories are checked apart from the per-key register histories.
 *
 * @param client who issued it ({@link Op#FINAL_READER} for the reads after the run)
 * @param key the cycle's key
 * @param lease the lease id (0 when the grant failed)
 * @param kind what was asked
 * @param outcome how it ended
 * @param value the value put, or the value read (null: absent)
 * @param callTime when it was sent (nanoseconds since the run started)
 * @param returnTime when its answer arrived; {@link Long#MAX_VALUE} when {@link Outcome#UNKNOWN}
 */
record LeaseOp(
        int client, String key, long lease, Kind kind, Outcome outcome, String value, long callTime, long returnTime) {
    /** Lease operations; reads are linearizable reads of the cycle's key. */
    enum Kind {
        GRANT,
        PUT,
        KEEPALIVE,
        REVOKE,
        READ
    }

    /** How a step ended. */
    enum Outcome {
        OK,
        /** Answered {@code lease_not_found}: the lease had ended before the step ran. */
        GONE,
        /** Definitely not applied (or a read that failed: it tells nothing). */
        FAILED,
        /** Timed out or lost the connection: it may have been applied, later, or never. */
        UNKNOWN
    }

    /** One line of the lease history. */
    @Override
    public String toString() {
        String end = outcome == Outcome.UNKNOWN ? "unknown" : String.valueOf(returnTime);
        String what = kind == Kind.READ ? "read -> " + value : kind == Kind.PUT ? "put(" + value + ")" : kind.name();
        return String.format(
                "%-8s %-14s lease %-6d %-24s %-8s [%d, %s]",
                client == Op.FINAL_READER ? "final" : "client" + client,
                key,
                lease,
                what.toLowerCase(java.util.Locale.ROOT),
                outcome,
                callTime,
                end);
    }
}
