package dev.aspen.tests.chaos;

import dev.aspen.kv.ReadConsistency;

/**
 * One client's way to reach the cluster (the Java client or HTTP). Calls block until answered or
 * timed out; a failure is thrown, and {@link #neverRan} says whether it proves the operation had no
 * effect (else its outcome is unknown).
 */
interface Driver extends AutoCloseable {
    /** The key's value, or null when absent. */
    String get(String key, ReadConsistency.Mode mode) throws Exception;

    void put(String key, String value) throws Exception;

    /** Sets {@code value} if the key holds {@code expected} (null: absent); whether it did. */
    boolean cas(String key, String expected, String value) throws Exception;

    void delete(String key) throws Exception;

    /** Whether {@code failure} (thrown by a call of this driver) proves the call changed nothing. */
    boolean neverRan(Throwable failure);

    /** A short name of the failure for the summary's error counts. */
    String describe(Throwable failure);

    @Override
    void close();
}
