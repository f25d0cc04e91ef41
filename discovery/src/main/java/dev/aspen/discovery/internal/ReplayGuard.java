package dev.aspen.discovery.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accepts a beacon only if its timestamp is within {@code maxSkew} of the local clock and its nonce
 * was not seen before. Remembers at most {@value #MAX_NONCES} nonces (oldest forgotten first), so a
 * replay can slip through only if more than that many beacons arrive within the skew window; the
 * worst it can cause is a sync attempt to a genuine member address. Thread-safe.
 */
public final class ReplayGuard {
    /** Most nonces remembered. */
    public static final int MAX_NONCES = 4096;

    private final long maxSkewMillis;
    private final Map<ByteBuffer, Long> seen = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Long> eldest) {
            return size() > MAX_NONCES;
        }
    };

    /** Accepts timestamps at most {@code maxSkew} away from the local clock. */
    public ReplayGuard(Duration maxSkew) {
        this.maxSkewMillis = maxSkew.toMillis();
    }

    /**
     * Records and checks one beacon.
     *
     * @throws BeaconRejectedException with {@code STALE} or {@code REPLAYED}
     */
    public synchronized void check(BeaconPacket packet, long nowMillis) {
        long skew = Math.abs(nowMillis - packet.timestampMillis());
        if (skew > maxSkewMillis) {
            throw new BeaconRejectedException(
                    BeaconRejectedException.Reason.STALE,
                    "beacon of " + packet.nodeId() + " is " + skew + " ms away from our clock");
        }
        if (seen.putIfAbsent(ByteBuffer.wrap(packet.nonce()), nowMillis) != null) {
            throw new BeaconRejectedException(
                    BeaconRejectedException.Reason.REPLAYED, "beacon nonce of " + packet.nodeId() + " seen before");
        }
    }
}
