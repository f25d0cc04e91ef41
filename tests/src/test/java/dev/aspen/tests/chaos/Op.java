package dev.aspen.tests.chaos;

/**
 * One operation of a chaos history as its client saw it: what was asked, on which key, when
 * (nanoseconds since the run started), and how it ended.
 *
 * @param client the client that issued it ({@link #FINAL_READER} for the final full read)
 * @param kind what was asked
 * @param key the key
 * @param value the value written (put), the new value (cas), or the value read (null: absent)
 * @param expected the value a cas required (null: the key must be absent)
 * @param outcome how it ended
 * @param callTime when it was sent
 * @param returnTime when its answer arrived; {@link Long#MAX_VALUE} when {@link Outcome#UNKNOWN}
 * @param revision the store revision an acknowledged write was applied at; -1 for reads, writes not
 *     acknowledged, and writes that changed nothing (a mismatched cas, a delete of an absent key)
 */
record Op(
        int client,
        Kind kind,
        String key,
        String value,
        String expected,
        Outcome outcome,
        long callTime,
        long returnTime,
        long revision) {
    /** The client id of the final full read. */
    static final int FINAL_READER = -1;

    /** An operation with no revision: a read, or a write that was not acknowledged or changed nothing. */
    Op(
            int client,
            Kind kind,
            String key,
            String value,
            String expected,
            Outcome outcome,
            long callTime,
            long returnTime) {
        this(client, kind, key, value, expected, outcome, callTime, returnTime, -1);
    }

    /** Operation kinds; reads are recorded per consistency level. */
    enum Kind {
        PUT,
        CAS,
        DELETE,
        READ_LINEARIZABLE,
        READ_LEASE,
        READ_STALE;

        boolean isRead() {
            return this == READ_LINEARIZABLE || this == READ_LEASE || this == READ_STALE;
        }
    }

    /** How an operation ended. */
    enum Outcome {
        /** Acknowledged; for a cas: its compare held and it wrote. */
        OK,
        /** A cas that completed without writing: it observed a value other than the expected one. */
        MISMATCH,
        /** Definitely not applied: an error that proves the operation never ran. */
        FAILED,
        /** Timed out or lost the connection: it may have been applied, later, or never. */
        UNKNOWN
    }

    /** Whether this operation may have changed the key: an acknowledged or unknown put, cas or delete. */
    boolean mayHaveWritten() {
        return !kind.isRead() && (outcome == Outcome.OK || outcome == Outcome.UNKNOWN);
    }

    /** One line of the history file. */
    @Override
    public String toString() {
        String what =
                switch (kind) {
                    case PUT -> "put(" + value + ")";
                    case CAS -> "cas(" + expected + " -> " + value + ")";
                    case DELETE -> "delete";
                    default -> kind.name().substring(5).toLowerCase(java.util.Locale.ROOT) + " read -> " + value;
                };
        String end = outcome == Outcome.UNKNOWN ? "unknown" : String.valueOf(returnTime);
        return String.format(
                "%-8s %-14s %-40s %-8s [%d, %s]%s",
                client == FINAL_READER ? "final" : "client" + client,
                key,
                what,
                outcome,
                callTime,
                end,
                revision < 0 ? "" : " @" + revision);
    }
}
