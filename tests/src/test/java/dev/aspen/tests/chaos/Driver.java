package dev.aspen.tests.chaos;

import dev.aspen.kv.ReadConsistency;

/**
 * One client's way to reach the cluster (the Java client or HTTP). Calls block until answered or
 * timed out; a failure is thrown, and {@link #neverRan} says whether it proves the operation had no
 * effect (else its outcome is unknown). Writes answer the store revision they were applied at.
 */
interface Driver extends AutoCloseable {
    /** The key's value, or null when absent. */
    String get(String key, ReadConsistency.Mode mode) throws Exception;

    /** Sets the key, attached to lease {@code lease} (0: none); the revision of the write. */
    long put(String key, String value, long lease) throws Exception;

    /**
     * Sets {@code value} if the key holds {@code expected} (null: absent); the revision of the write,
     * or -1 when the compare did not hold (nothing written).
     */
    long cas(String key, String expected, String value) throws Exception;

    /** Deletes the key; the revision of the delete, or -1 when the key was absent (nothing changed). */
    long delete(String key) throws Exception;

    /** Grants a lease of {@code ttlSeconds}; its id. */
    long grantLease(long ttlSeconds) throws Exception;

    /** Restarts the lease's TTL. */
    void keepAlive(long lease) throws Exception;

    /** Revokes the lease, deleting its keys. */
    void revoke(long lease) throws Exception;

    /** Whether {@code failure} (thrown by a call of this driver) proves the call changed nothing. */
    boolean neverRan(Throwable failure);

    /** Whether {@code failure} is the definite answer "this lease does not exist" ({@code lease_not_found}). */
    boolean leaseGone(Throwable failure);

    /** A short name of the failure for the summary's error counts. */
    String describe(Throwable failure);

    @Override
    void close();
}
