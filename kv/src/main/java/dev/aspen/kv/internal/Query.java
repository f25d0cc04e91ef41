package dev.aspen.kv.internal;

import dev.aspen.kv.TxnOp;

/**
 * The read-only queries. {@code minRevision} > 0 makes the query fail with {@code unavailable}
 * while the local state is below that revision (stale reads with a floor).
 */
public sealed interface Query {
    /** The lowest acceptable local revision, 0 for any. */
    long minRevision();

    /** Reads one key. */
    record Get(byte[] key, long minRevision) implements Query {}

    /** Reads a range. */
    record Scan(TxnOp.Scan scan, long minRevision) implements Query {}

    /** Reads a lease. */
    record LeaseTimeToLive(long id, long minRevision) implements Query {}
}
