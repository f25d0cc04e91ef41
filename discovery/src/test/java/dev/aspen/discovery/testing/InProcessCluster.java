package dev.aspen.discovery.testing;

import dev.aspen.discovery.Discovery;
import dev.aspen.discovery.DiscoveryBuilder;
import dev.aspen.tickets.Cookie;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Starts {@link Discovery} nodes in this JVM on loopback and closes them all. */
public final class InProcessCluster implements AutoCloseable {
    private final List<Discovery> nodes = new ArrayList<>();

    /** A beacon group on a random UDP port, so concurrent runs do not hear each other. */
    public static InetSocketAddress randomBeaconGroup() {
        return new InetSocketAddress(
                DiscoveryBuilder.DEFAULT_BEACON_GROUP.getAddress(),
                ThreadLocalRandom.current().nextInt(20_000, 60_000));
    }

    /** A builder for a loopback node with a fresh key, no beacon and no seeds. */
    public static DiscoveryBuilder builder(String cookie) {
        return builder(cookie, KeyFiles.generate());
    }

    /** A builder for a loopback node with {@code keys}, no beacon and no seeds. */
    public static DiscoveryBuilder builder(String cookie, KeyPair keys) {
        return Discovery.builder()
                .cookie(Cookie.of(cookie))
                .keyPair(keys)
                .quicAddress(Records.loopback(4433))
                .beacon(false);
    }

    /** Builds and starts; the node is closed by {@link #close()}. */
    public Discovery start(DiscoveryBuilder builder) {
        Discovery discovery = builder.build();
        nodes.add(discovery);
        discovery.start();
        return discovery;
    }

    /** Builds, registers {@code listener} on the directory, then starts. */
    public Discovery start(DiscoveryBuilder builder, dev.aspen.discovery.PeerListener listener) {
        Discovery discovery = builder.build();
        nodes.add(discovery);
        discovery.directory().addListener(listener);
        discovery.start();
        return discovery;
    }

    /** Closes one node now (graceful leave). */
    public void stop(Discovery node) {
        node.close();
    }

    @Override
    public void close() {
        nodes.forEach(Discovery::close);
    }
}
