package dev.aspen.discovery.internal;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Lets the LAN beacon add seeds to a running ScaleCube member, whose seed list is fixed at start.
 * The member is started with {@value #SLOTS} placeholder seeds; the transport's address mapper
 * resolves each placeholder, at connect time, to a gossip address learned from a verified beacon.
 * ScaleCube's periodic sync picks a random seed or member, so a beacon-learned address is
 * contacted within a few sync intervals. A placeholder with nothing learned yet maps to port 0 on
 * loopback, which fails at once without sending anything. Thread-safe.
 */
public final class BeaconSeeds implements UnaryOperator<String> {
    /** Number of placeholder seeds, i.e. beacon-learned addresses contacted concurrently. */
    public static final int SLOTS = 3;

    private static final String UNASSIGNED = "127.0.0.1:0";

    private final List<String> placeholders = new ArrayList<>();
    private final String[] targets = new String[SLOTS];
    private int next;

    /** Placeholders are {@code beacon-seed-N.invalid:N+1}; {@code .invalid} never resolves in DNS. */
    public BeaconSeeds() {
        for (int i = 0; i < SLOTS; i++) {
            placeholders.add("beacon-seed-" + i + ".invalid:" + (i + 1));
        }
    }

    /** The placeholder seed addresses to give ScaleCube. */
    public List<String> placeholders() {
        return List.copyOf(placeholders);
    }

    /** Assigns {@code gossipAddress} to a slot (round robin), unless a slot already holds it. */
    public synchronized void learn(InetSocketAddress gossipAddress) {
        String address = Addresses.format(gossipAddress);
        for (String target : targets) {
            if (address.equals(target)) {
                return;
            }
        }
        targets[next] = address;
        next = (next + 1) % SLOTS;
    }

    /** Maps a placeholder to its learned address (or a fail-fast one); other addresses pass through. */
    @Override
    public synchronized String apply(String address) {
        int slot = placeholders.indexOf(address);
        if (slot < 0) {
            return address;
        }
        if (targets[slot] != null) {
            return targets[slot];
        }
        for (String target : targets) {
            if (target != null) {
                return target;
            }
        }
        return UNASSIGNED;
    }
}
