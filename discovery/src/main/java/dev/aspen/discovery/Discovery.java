package dev.aspen.discovery;

import dev.aspen.discovery.internal.Addresses;
import dev.aspen.discovery.internal.Beacon;
import dev.aspen.discovery.internal.BeaconSeeds;
import dev.aspen.discovery.internal.GossipCodec;
import dev.aspen.discovery.internal.RecordMetadataCodec;
import dev.aspen.tickets.NodeId;
import io.scalecube.cluster.Cluster;
import io.scalecube.cluster.ClusterImpl;
import io.scalecube.cluster.ClusterMessageHandler;
import io.scalecube.cluster.Member;
import io.scalecube.cluster.membership.MembershipEvent;
import io.scalecube.transport.netty.tcp.TcpTransportFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's membership in its cluster: a ScaleCube SWIM member in namespace = ClusterId whose
 * metadata is this node's {@link SignedPeerRecord}, a {@link PeerDirectory} of the other members'
 * verified records, and optionally the LAN beacon. Build with {@link #builder()}, then {@link
 * #start()}; {@link #close()} leaves the cluster gracefully.
 *
 * <p>Thread-safe. Directory listeners run on ScaleCube's membership thread.
 */
public final class Discovery implements AutoCloseable {
    /** Longest {@link #start()} and {@link #close()} wait for ScaleCube. */
    public static final Duration START_STOP_TIMEOUT = Duration.ofSeconds(15);

    private static final Logger log = LoggerFactory.getLogger(Discovery.class);

    private final DiscoveryConfig config;
    private final PeerDirectory directory;
    private final GossipCodec codec = new GossipCodec();
    private final BeaconSeeds beaconSeeds = new BeaconSeeds();
    private final Object lifecycle = new Object();
    private volatile PeerRecord localRecord;
    private Cluster cluster;
    private Beacon beacon;
    private boolean started;
    private boolean closed;

    Discovery(DiscoveryConfig config) {
        this.config = config;
        this.directory = new PeerDirectory(config.clusterKey());
    }

    /** A builder with the LAN timing profile, the beacon on, bind address 127.0.0.1 and gossip port 0. */
    public static DiscoveryBuilder builder() {
        return new DiscoveryBuilder();
    }

    /**
     * Binds the gossip transport, joins through the seeds (waiting at most one sync timeout for
     * them to answer) and starts the beacon. Blocks up to {@link #START_STOP_TIMEOUT}. On return the
     * local record is published; peers appear in the directory as they are verified.
     *
     * @throws IllegalStateException if already started or closed, or ScaleCube fails to start
     * @throws UncheckedIOException if the gossip port or the beacon socket cannot be opened
     */
    public void start() {
        synchronized (lifecycle) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "discovery is closed" : "discovery already started");
            }
            started = true;
            int port = config.gossipPort() != 0 ? config.gossipPort() : pickFreePort();
            var gossip = new InetSocketAddress(config.bindAddress(), port);
            localRecord = new PeerRecord(
                    NodeId.of(config.keyPair().getPublic()),
                    config.keyPair().getPublic().getEncoded(),
                    config.quicAddress(),
                    gossip,
                    config.httpAddress(),
                    config.role(),
                    config.incarnation());
            cluster = startCluster(gossip, sign(localRecord));
            if (config.beaconEnabled()) {
                beacon = startBeacon(gossip);
            }
            log.info(
                    "discovery started: {} in cluster {} (seeds {}, beacon {})",
                    localRecord.nodeId(),
                    config.clusterId(),
                    config.seeds().size(),
                    beacon != null ? "on" : "off");
        }
    }

    private int pickFreePort() {
        try (var socket = new ServerSocket(0, 1, config.bindAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free gossip port on " + config.bindAddress(), e);
        }
    }

    private byte[] sign(PeerRecord record) {
        return SignedPeerRecord.sign(record, config.keyPair(), config.clusterKey())
                .encode();
    }

    private Cluster startCluster(InetSocketAddress gossip, byte[] metadata) {
        TimingProfile t = config.timing();
        List<String> seeds = new ArrayList<>();
        config.seeds().forEach(seed -> seeds.add(Addresses.format(seed)));
        if (config.beaconEnabled()) {
            seeds.addAll(beaconSeeds.placeholders());
        }
        String namespace = config.clusterId().toString();
        try {
            return new ClusterImpl()
                    .config(c -> c.metadata(metadata)
                            .metadataCodec(new RecordMetadataCodec())
                            .metadataTimeout(millis(t.metadataTimeout()))
                            .externalHost(gossip.getAddress().getHostAddress())
                            .externalPort(gossip.getPort())
                            .memberAlias(localRecord.nodeId().toString().substring(0, 8)))
                    .transport(c -> c.port(gossip.getPort())
                            .connectTimeout(millis(t.connectTimeout()))
                            .messageCodec(codec)
                            .maxFrameLength(GossipCodec.MAX_FRAME_BYTES)
                            .addressMapper(beaconSeeds))
                    .transportFactory(TcpTransportFactory::new)
                    .failureDetector(c -> c.pingInterval(millis(t.pingInterval()))
                            .pingTimeout(millis(t.pingTimeout()))
                            .pingReqMembers(t.pingReqMembers()))
                    .gossip(c -> c.gossipInterval(t.gossipInterval().toMillis()))
                    .membership(c -> c.namespace(namespace)
                            .seedMembers(seeds)
                            .syncInterval(millis(t.syncInterval()))
                            .syncTimeout(millis(t.syncTimeout()))
                            .suspicionMult(t.suspicionMult()))
                    .handler(unused -> new Handler())
                    .start()
                    .block(START_STOP_TIMEOUT);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof IOException io) {
                throw new UncheckedIOException("cannot start gossip on " + gossip + ": " + io.getMessage(), io);
            }
            throw new IllegalStateException("cannot start gossip on " + gossip + ": " + e.getMessage(), e);
        }
    }

    private static int millis(Duration duration) {
        return (int) duration.toMillis();
    }

    private Beacon startBeacon(InetSocketAddress gossip) {
        try {
            return new Beacon(
                    config.clusterId(),
                    config.clusterKey(),
                    localRecord.nodeId(),
                    config.bindAddress(),
                    gossip,
                    config.beaconGroup(),
                    config.timing().beaconInterval(),
                    this::onBeaconPeer);
        } catch (IOException e) {
            cluster.shutdown();
            throw new UncheckedIOException(
                    "cannot open the LAN beacon on " + config.beaconGroup() + ": " + e.getMessage(), e);
        }
    }

    private void onBeaconPeer(InetSocketAddress gossip) {
        Cluster current = cluster;
        if (current != null && current.memberByAddress(Addresses.format(gossip)).isEmpty()) {
            beaconSeeds.learn(gossip);
        }
    }

    private final class Handler implements ClusterMessageHandler {
        @Override
        public void onMembershipEvent(MembershipEvent event) {
            Member member = event.member();
            switch (event.type()) {
                case ADDED, UPDATED -> offer(member, event.newMetadata());
                case LEAVING -> directory.suspect(member.id());
                case REMOVED -> directory.remove(member.id());
            }
        }

        private void offer(Member member, ByteBuffer metadata) {
            if (metadata == null) {
                // ScaleCube reports a member it saw only while it was leaving without metadata:
                // nothing was presented, so nothing is verified, listed or counted.
                log.debug("gossip member {} at {} has no record", member.id(), member.address());
                return;
            }
            byte[] bytes = new byte[metadata.remaining()];
            metadata.duplicate().get(bytes);
            InetSocketAddress address = Addresses.parse(member.address()).orElse(null);
            try {
                directory.offer(member.id(), address, bytes);
            } catch (RecordRejectedException e) {
                log.warn("ignoring gossip member {} at {}: {}", member.id(), member.address(), e.getMessage());
            }
        }
    }

    /** The verified records of the other members. Available before {@link #start()}. */
    public PeerDirectory directory() {
        return directory;
    }

    /**
     * This node's current record.
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public PeerRecord localRecord() {
        PeerRecord record = localRecord;
        if (record == null) {
            throw new IllegalStateException("discovery not started");
        }
        return record;
    }

    /**
     * Publishes a new role: re-signs the record with incarnation + 1 and spreads it. Blocks up to
     * {@link #START_STOP_TIMEOUT}; other members see {@link PeerEvent.Type#UPDATED} within a few
     * gossip intervals.
     *
     * @throws IllegalStateException if not running
     */
    public void updateRole(Role role) {
        synchronized (lifecycle) {
            if (!started || closed) {
                throw new IllegalStateException("discovery is not running");
            }
            PeerRecord next = localRecord.with(role, localRecord.incarnation() + 1);
            cluster.updateMetadata(sign(next)).block(START_STOP_TIMEOUT);
            localRecord = next;
        }
    }

    /** Counters since start (all zero before). Never blocks. */
    public DiscoveryStats stats() {
        Map<String, Long> beaconRejected = new HashMap<>();
        Beacon current = beacon;
        if (current != null) {
            current.rejected().forEach((reason, count) -> beaconRejected.put(reason.name(), count));
        }
        return new DiscoveryStats(
                codec.bytesSent(),
                codec.bytesReceived(),
                codec.messagesSent(),
                codec.messagesReceived(),
                current == null ? 0 : current.sent(),
                current == null ? 0 : current.accepted(),
                beaconRejected,
                directory.rejectedCounts());
    }

    /**
     * Stops the beacon and leaves the cluster gracefully (others see {@link PeerEvent.Type#SUSPECT}
     * then {@link PeerEvent.Type#LEFT}); empties the directory without firing events. Blocks up to
     * {@link #START_STOP_TIMEOUT}. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            if (beacon != null) {
                beacon.close();
            }
            if (cluster != null) {
                cluster.shutdown();
                try {
                    cluster.onShutdown().block(START_STOP_TIMEOUT);
                } catch (RuntimeException e) {
                    log.warn("gossip shutdown did not complete cleanly: {}", e.toString());
                }
            }
            directory.clear();
        }
    }
}
