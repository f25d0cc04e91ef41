package dev.aspen.discovery.internal;

/** A beacon packet that was dropped; {@link #reason()} says why. */
public final class BeaconRejectedException extends RuntimeException {
    /** Why a beacon was dropped. */
    public enum Reason {
        /** Not a version-1 beacon, truncated, oversized or with trailing bytes. */
        MALFORMED,
        /** A well-formed beacon of another cluster (normal on a shared LAN). */
        OTHER_CLUSTER,
        /** Our cluster id but the MAC does not verify. */
        BAD_MAC,
        /** Timestamp further than the allowed skew from our clock. */
        STALE,
        /** A nonce already seen within the replay window. */
        REPLAYED
    }

    private final Reason reason;

    /** With the reason and a message naming the problem. */
    public BeaconRejectedException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    /** Why the beacon was dropped. */
    public Reason reason() {
        return reason;
    }
}
