package dev.aspen.kv;

import java.util.List;

/**
 * A lease's state.
 *
 * @param id the lease id
 * @param grantedTtlSeconds the TTL it was granted with
 * @param remainingMillis time until the leader expires it, or -1 when this node does not track
 *     expiry (only the leader's expiry logic knows the deadline)
 * @param keys the attached keys in unsigned order
 * @param revision the store revision this reflects
 */
public record LeaseTimeToLiveResponse(
        long id, long grantedTtlSeconds, long remainingMillis, List<byte[]> keys, long revision) {}
