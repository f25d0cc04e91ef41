package dev.aspen.discovery;

import java.time.Duration;

/**
 * SWIM and beacon timing. SWIM declares a silent member dead after about {@code pingInterval +
 * pingTimeout + suspicionMult × ceil(log2 n) × pingInterval}.
 *
 * @param pingInterval how often each member probes one other member
 * @param pingTimeout how long a direct probe waits before asking others to probe indirectly
 * @param pingReqMembers how many members are asked to probe indirectly
 * @param suspicionMult multiplier of the suspicion timeout (see above)
 * @param gossipInterval how often gossip (membership changes, metadata updates) is spread
 * @param syncInterval how often a member exchanges its full membership table with a random member
 *     or seed (this is also how beacon-learned seeds are contacted)
 * @param syncTimeout how long a sync waits for its answer
 * @param metadataTimeout how long fetching a new member's signed record may take
 * @param connectTimeout TCP connect timeout of the gossip transport
 * @param beaconInterval how often the LAN beacon announces this node
 */
public record TimingProfile(
        Duration pingInterval,
        Duration pingTimeout,
        int pingReqMembers,
        int suspicionMult,
        Duration gossipInterval,
        Duration syncInterval,
        Duration syncTimeout,
        Duration metadataTimeout,
        Duration connectTimeout,
        Duration beaconInterval) {

    /** One LAN or one host: a killed node is gone in about 1–2 s, a new one seen by all in about 1 s. */
    public static final TimingProfile LAN = new TimingProfile(
            Duration.ofMillis(200),
            Duration.ofMillis(100),
            1,
            2,
            Duration.ofMillis(50),
            Duration.ofMillis(1000),
            Duration.ofMillis(500),
            Duration.ofMillis(1000),
            Duration.ofMillis(500),
            Duration.ofMillis(500));

    /**
     * Across the internet: slower, fewer false suspicions under latency and loss; a killed node is
     * gone in roughly 20–40 s for 3–9 nodes (suspicion 4 × ceil(log2 n) × 2 s after a missed probe).
     */
    public static final TimingProfile WAN = new TimingProfile(
            Duration.ofMillis(2000),
            Duration.ofMillis(1500),
            3,
            4,
            Duration.ofMillis(200),
            Duration.ofMillis(10_000),
            Duration.ofMillis(5000),
            Duration.ofMillis(5000),
            Duration.ofMillis(5000),
            Duration.ofMillis(5000));

    /**
     * Validates.
     *
     * @throws IllegalArgumentException naming the field that is not positive, or a ping timeout not
     *     shorter than the ping interval
     */
    public TimingProfile {
        positive("pingInterval", pingInterval);
        positive("pingTimeout", pingTimeout);
        positive("gossipInterval", gossipInterval);
        positive("syncInterval", syncInterval);
        positive("syncTimeout", syncTimeout);
        positive("metadataTimeout", metadataTimeout);
        positive("connectTimeout", connectTimeout);
        positive("beaconInterval", beaconInterval);
        if (pingReqMembers < 0 || pingReqMembers > 16) {
            throw new IllegalArgumentException("pingReqMembers must be 0 to 16, got " + pingReqMembers);
        }
        if (suspicionMult < 1 || suspicionMult > 100) {
            throw new IllegalArgumentException("suspicionMult must be 1 to 100, got " + suspicionMult);
        }
        if (pingTimeout.compareTo(pingInterval) >= 0) {
            throw new IllegalArgumentException("pingTimeout must be shorter than pingInterval");
        }
    }

    private static void positive(String field, Duration value) {
        if (value.isNegative() || value.isZero() || value.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(field + " must be between 1 ms and ~24 days, got " + value);
        }
    }
}
