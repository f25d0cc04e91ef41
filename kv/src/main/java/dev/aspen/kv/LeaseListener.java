package dev.aspen.kv;

/**
 * Told by the state machine, on its apply thread, when leases appear, are renewed or disappear.
 * The leader's expiry logic ({@link LeaseExpiry}) listens to keep its deadlines. Implementations
 * must be quick and must not call back into the state machine.
 */
public interface LeaseListener {
    /** A lease was granted. */
    void onGranted(long leaseId, long ttlSeconds);

    /** A lease was kept alive. */
    void onRenewed(long leaseId, long ttlSeconds);

    /** A lease was revoked or expired. */
    void onRemoved(long leaseId);

    /** The lease table was replaced (snapshot install); {@code leaseTtls} maps every lease to its TTL. */
    void onReset(java.util.Map<Long, Long> leaseTtls);
}
