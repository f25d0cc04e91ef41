package dev.aspen.discovery;

import dev.aspen.tickets.ClusterId;
import dev.aspen.tickets.ClusterKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.util.List;
import java.util.Optional;

/** The validated settings {@link DiscoveryBuilder#build()} hands to {@link Discovery}. */
record DiscoveryConfig(
        ClusterId clusterId,
        ClusterKey clusterKey,
        KeyPair keyPair,
        InetAddress bindAddress,
        int gossipPort,
        InetSocketAddress quicAddress,
        Optional<InetSocketAddress> httpAddress,
        Role role,
        long incarnation,
        List<InetSocketAddress> seeds,
        boolean beaconEnabled,
        InetSocketAddress beaconGroup,
        TimingProfile timing) {}
