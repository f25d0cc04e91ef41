package dev.aspen.kv;

import dev.aspen.kv.internal.Command;
import dev.aspen.kv.internal.CommandCodec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Leader-side lease expiry: keeps a deadline per lease from an injected clock and decides which
 * leases the leader should propose for expiry. The state machine never reads a clock; it only
 * applies the {@code LeaseExpire} commands this class helps propose.
 *
 * <p>Register it as the state machine's {@link LeaseListener} so grants, keep-alives and removals
 * move the deadlines; call {@link #becomeLeader()} / {@link #stepDown()} on leadership changes and
 * {@link #proposeDue(CommandLog)} periodically (for example every 500 ms) on the leader. On becoming
 * leader every deadline restarts at now + TTL, so a failover never expires a lease early. A lease
 * proposed for expiry is proposed again after {@code retryMillis} if it is still there.
 * Thread-safe.
 */
public final class LeaseExpiry implements LeaseListener {
    private static final class Deadline {
        final long ttlMillis;
        long expiresAt;
        long proposedAt = -1;

        Deadline(long ttlMillis, long expiresAt) {
            this.ttlMillis = ttlMillis;
            this.expiresAt = expiresAt;
        }
    }

    private final LongSupplier clockMillis;
    private final long retryMillis;
    private final int maxBatch;
    private final Map<Long, Deadline> deadlines = new HashMap<>();
    private boolean leader;

    /**
     * @param clockMillis a monotonic clock in milliseconds (for example {@code System.nanoTime() /
     *     1_000_000})
     * @param retryMillis how long to wait before proposing a still-present lease again
     * @param maxBatch most leases per expiry command, at most {@link KvLimits#MAX_EXPIRE_BATCH}
     */
    public LeaseExpiry(LongSupplier clockMillis, long retryMillis, int maxBatch) {
        if (clockMillis == null || retryMillis < 1 || maxBatch < 1 || maxBatch > KvLimits.MAX_EXPIRE_BATCH) {
            throw new IllegalArgumentException("need a clock, retryMillis >= 1 and maxBatch in [1, "
                    + KvLimits.MAX_EXPIRE_BATCH + "], was " + retryMillis + ", " + maxBatch);
        }
        this.clockMillis = clockMillis;
        this.retryMillis = retryMillis;
        this.maxBatch = maxBatch;
    }

    @Override
    public synchronized void onGranted(long leaseId, long ttlSeconds) {
        long ttl = ttlSeconds * 1000;
        deadlines.put(leaseId, new Deadline(ttl, clockMillis.getAsLong() + ttl));
    }

    /**
     * A keep-alive was applied. It moves the deadline, but an expiry already proposed stays in
     * flight: it may be ordered after this keep-alive in the log and remove the lease anyway, which
     * is why {@link #renewalHolds} then says no.
     */
    @Override
    public synchronized void onRenewed(long leaseId, long ttlSeconds) {
        Deadline d = deadlines.get(leaseId);
        if (d != null) {
            d.expiresAt = clockMillis.getAsLong() + d.ttlMillis;
        }
    }

    /**
     * Whether a keep-alive of {@code leaseId} that was just applied can be acknowledged: the lease
     * still exists and no expiry of it is in flight. False when an expiry proposed before the
     * keep-alive was applied may still remove the lease (or already did), so the caller must not
     * tell the client its lease was renewed.
     */
    public synchronized boolean renewalHolds(long leaseId) {
        Deadline d = deadlines.get(leaseId);
        return d != null && d.proposedAt < 0;
    }

    @Override
    public synchronized void onRemoved(long leaseId) {
        deadlines.remove(leaseId);
    }

    @Override
    public synchronized void onReset(Map<Long, Long> leaseTtls) {
        deadlines.clear();
        leaseTtls.forEach(this::onGranted);
    }

    /** This node became leader: every deadline restarts at now + TTL. */
    public synchronized void becomeLeader() {
        leader = true;
        long now = clockMillis.getAsLong();
        for (Deadline d : deadlines.values()) {
            d.expiresAt = now + d.ttlMillis;
            d.proposedAt = -1;
        }
    }

    /** This node is no longer leader: nothing is due until {@link #becomeLeader()}. */
    public synchronized void stepDown() {
        leader = false;
    }

    /**
     * The leases to propose for expiry now (earliest deadline first, then by id), at most {@code
     * maxBatch}; empty unless leader. Marks them proposed so they are not returned again before
     * {@code retryMillis}.
     */
    public synchronized List<Long> dueForExpiry() {
        if (!leader) {
            return List.of();
        }
        long now = clockMillis.getAsLong();
        List<Map.Entry<Long, Deadline>> due = new ArrayList<>();
        for (Map.Entry<Long, Deadline> e : deadlines.entrySet()) {
            Deadline d = e.getValue();
            if (d.expiresAt <= now && (d.proposedAt < 0 || now - d.proposedAt >= retryMillis)) {
                due.add(e);
            }
        }
        due.sort(Comparator.comparingLong((Map.Entry<Long, Deadline> e) -> e.getValue().expiresAt)
                .thenComparingLong(Map.Entry::getKey));
        List<Long> ids = new ArrayList<>();
        for (Map.Entry<Long, Deadline> e : due.subList(0, Math.min(maxBatch, due.size()))) {
            e.getValue().proposedAt = now;
            ids.add(e.getKey());
        }
        return ids;
    }

    /**
     * Proposes an expiry command for {@link #dueForExpiry()} through {@code log}; completes at once
     * with null when nothing is due. Never blocks.
     */
    public CompletableFuture<Object> proposeDue(CommandLog log) {
        List<Long> ids = dueForExpiry();
        if (ids.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return log.propose(CommandCodec.encode(new Command.LeaseExpire(ids))).whenComplete((result, failure) -> {
            if (failure != null) {
                settleFailedProposal(ids);
            }
        });
    }

    /** The expiry of {@code ids} did not commit here: they are judged again on their own deadlines. */
    private synchronized void settleFailedProposal(List<Long> ids) {
        for (long id : ids) {
            Deadline d = deadlines.get(id);
            if (d != null) {
                d.proposedAt = -1;
            }
        }
    }

    /** Milliseconds until the lease is due on this leader; -1 when not leader or unknown. */
    public synchronized long remainingMillis(long leaseId) {
        Deadline d = deadlines.get(leaseId);
        if (!leader || d == null) {
            return -1;
        }
        return Math.max(0, d.expiresAt - clockMillis.getAsLong());
    }
}
