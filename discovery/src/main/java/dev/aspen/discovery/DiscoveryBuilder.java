package dev.aspen.discovery;

import dev.aspen.tickets.ClusterCredentials;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.SocketAddresses;
import dev.aspen.tickets.TicketPeer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Settings for a {@link Discovery}. Not thread-safe; {@link #build()} validates everything and
 * names the bad setting.
 *
 * <p>Seeds are gossip (SWIM, TCP) addresses, whatever their source: {@link #seeds} (the CLI's
 * {@code --peers host:port,...}) and {@link #ticket} (every address of every bootstrap peer). A
 * ticket used for discovery therefore lists each bootstrap node's gossip address; the node's QUIC
 * address comes from its signed record once discovery has verified it. (A node that binds QUIC
 * over UDP and gossip over TCP on the same port number can put one address in the ticket for both.)
 */
public final class DiscoveryBuilder {
    /** Most seeds (explicit and from a ticket together). */
    public static final int MAX_SEEDS = 128;
    /** Default LAN beacon group and port: {@code 239.255.77.77:7946} (organization-local scope). */
    public static final InetSocketAddress DEFAULT_BEACON_GROUP = new InetSocketAddress("239.255.77.77", 7946);

    private ClusterCredentials credentials;
    private KeyPair keyPair;
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private int gossipPort;
    private InetSocketAddress quicAddress;
    private InetSocketAddress httpAddress;
    private Role role = Role.VOTER;
    private Long incarnation;
    private final List<InetSocketAddress> seeds = new ArrayList<>();
    private ClusterTicket ticket;
    private boolean beaconEnabled = true;
    private InetSocketAddress beaconGroup = DEFAULT_BEACON_GROUP;
    private TimingProfile timing = TimingProfile.LAN;

    DiscoveryBuilder() {}

    /**
     * Required (this or {@link #credentials}): the cluster cookie; the ClusterId (namespace) and
     * ClusterKey (MACs) derive from it.
     */
    public DiscoveryBuilder cookie(Cookie value) {
        this.credentials = value == null ? null : value.credentials();
        return this;
    }

    /**
     * Required (this or {@link #cookie}): the ClusterId (namespace) and ClusterKey (MACs) directly,
     * for a node that holds no cookie (it joined with a join ticket and was given the key).
     */
    public DiscoveryBuilder credentials(ClusterCredentials value) {
        this.credentials = value;
        return this;
    }

    /** Required: the node key (ECDSA P-256); its public key defines the NodeId. */
    public DiscoveryBuilder keyPair(KeyPair value) {
        this.keyPair = value;
        return this;
    }

    /**
     * The local address gossip is advertised on and the beacon's network interface (default
     * 127.0.0.1). Must not be a wildcard. Note: ScaleCube 2.7.7's TCP transport listens on all
     * interfaces at the gossip port; only this address is advertised.
     */
    public DiscoveryBuilder bindAddress(InetAddress value) {
        this.bindAddress = value;
        return this;
    }

    /** TCP port for gossip; 0 (default) picks a free one at start. */
    public DiscoveryBuilder gossipPort(int value) {
        this.gossipPort = value;
        return this;
    }

    /** Required: the QUIC address advertised in the record. */
    public DiscoveryBuilder quicAddress(InetSocketAddress value) {
        this.quicAddress = value;
        return this;
    }

    /** The HTTP API address advertised in the record (default: none). */
    public DiscoveryBuilder httpAddress(InetSocketAddress value) {
        this.httpAddress = value;
        return this;
    }

    /** The advertised role (default {@link Role#VOTER}). */
    public DiscoveryBuilder role(Role value) {
        this.role = value;
        return this;
    }

    /**
     * The incarnation to start with, e.g. a counter the caller persists. Default: the wall clock
     * in milliseconds at {@link #build()}, which exceeds the previous run's incarnation as long as
     * the clock did not step back and the node made fewer record updates than milliseconds passed.
     */
    public DiscoveryBuilder incarnation(long value) {
        this.incarnation = value;
        return this;
    }

    /** Adds gossip addresses to join through (the CLI's {@code --peers}). */
    public DiscoveryBuilder seeds(List<InetSocketAddress> values) {
        seeds.addAll(values);
        return this;
    }

    /**
     * Adds the seeds of a {@code --peers} value: {@code HOST:PORT[,HOST:PORT...]} with IP literals
     * ({@code [v6]:port} for IPv6). Never does DNS.
     *
     * @throws dev.aspen.tickets.FormatException naming the bad entry
     */
    public DiscoveryBuilder peers(String commaSeparated) {
        for (String entry : commaSeparated.split(",", -1)) {
            seeds.add(SocketAddresses.parse(entry.strip()));
        }
        return this;
    }

    /** Joins through every address of every bootstrap peer of {@code value} (gossip addresses). */
    public DiscoveryBuilder ticket(ClusterTicket value) {
        this.ticket = value;
        return this;
    }

    /** Turns the LAN beacon on (default) or off. */
    public DiscoveryBuilder beacon(boolean enabled) {
        this.beaconEnabled = enabled;
        return this;
    }

    /** The beacon's multicast group and UDP port (default {@link #DEFAULT_BEACON_GROUP}). */
    public DiscoveryBuilder beaconGroup(InetSocketAddress value) {
        this.beaconGroup = value;
        return this;
    }

    /** {@link TimingProfile#LAN} (default), {@link TimingProfile#WAN} or a custom profile. */
    public DiscoveryBuilder timing(TimingProfile value) {
        this.timing = value;
        return this;
    }

    /**
     * Validates and builds a stopped {@link Discovery}.
     *
     * @throws IllegalArgumentException naming the missing or bad setting
     */
    public Discovery build() {
        require(credentials != null, "cookie is required (or the cluster credentials)");
        require(keyPair != null, "keyPair is required");
        require(
                keyPair.getPublic() instanceof ECPublicKey && keyPair.getPrivate() instanceof ECPrivateKey,
                "keyPair must be an EC (ECDSA P-256) key pair");
        require(
                bindAddress != null && !bindAddress.isAnyLocalAddress() && !bindAddress.isMulticastAddress(),
                "bindAddress must be a specific local unicast address, got " + bindAddress);
        require(gossipPort >= 0 && gossipPort <= 65535, "gossipPort must be 0 to 65535, got " + gossipPort);
        require(
                quicAddress != null && !quicAddress.isUnresolved() && quicAddress.getPort() != 0,
                "quicAddress is required and must be an IP address with a port");
        require(
                httpAddress == null || (!httpAddress.isUnresolved() && httpAddress.getPort() != 0),
                "httpAddress must be an IP address with a port");
        require(role != null, "role is required");
        require(timing != null, "timing is required");
        long start = incarnation != null ? incarnation : System.currentTimeMillis();
        require(start >= 0, "incarnation must not be negative, got " + start);
        require(
                !beaconEnabled
                        || (beaconGroup != null
                                && !beaconGroup.isUnresolved()
                                && beaconGroup.getAddress().isMulticastAddress()
                                && beaconGroup.getPort() != 0),
                "beaconGroup must be a multicast IP address with a port, got " + beaconGroup);
        return new Discovery(new DiscoveryConfig(
                credentials.clusterId(),
                credentials.clusterKey(),
                keyPair,
                bindAddress,
                gossipPort,
                quicAddress,
                Optional.ofNullable(httpAddress),
                role,
                start,
                allSeeds(),
                beaconEnabled,
                beaconGroup,
                timing));
    }

    private List<InetSocketAddress> allSeeds() {
        var all = new LinkedHashSet<InetSocketAddress>();
        for (InetSocketAddress seed : seeds) {
            require(
                    seed != null && !seed.isUnresolved() && seed.getPort() != 0,
                    "seeds must be IP addresses with ports, got " + seed);
            all.add(seed);
        }
        if (ticket != null) {
            require(
                    ticket.clusterId().equals(credentials.clusterId()),
                    "ticket is for cluster " + ticket.clusterId() + " but the cookie gives cluster "
                            + credentials.clusterId());
            for (TicketPeer peer : ticket.peers()) {
                all.addAll(peer.addresses());
            }
        }
        require(all.size() <= MAX_SEEDS, "at most " + MAX_SEEDS + " seeds, got " + all.size());
        return List.copyOf(all);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
