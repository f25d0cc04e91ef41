package dev.aspen.discovery.internal;

import dev.aspen.tickets.ClusterId;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.NodeId;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zero-config LAN beacon: every {@code interval} it multicasts a MACed {@link BeaconPacket}
 * announcing this node's gossip address, on the network interface of the bind address only, with
 * TTL 1; a receiver thread verifies incoming beacons (cluster id, MAC, clock skew, nonce replay) and
 * hands the gossip address of every other node of the cluster to {@code onPeer}. Bad packets are
 * dropped and counted. Threads are daemons named {@code aspen-beacon-*}.
 */
public final class Beacon implements AutoCloseable {
    /** Beacons further than this from the local clock are dropped. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(Beacon.class);

    private final ClusterId clusterId;
    private final ClusterKey clusterKey;
    private final NodeId self;
    private final InetSocketAddress gossipAddress;
    private final InetSocketAddress group;
    private final Consumer<InetSocketAddress> onPeer;
    private final ReplayGuard replayGuard = new ReplayGuard(MAX_CLOCK_SKEW);
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final Map<BeaconRejectedException.Reason, AtomicLong> rejected =
            new EnumMap<>(BeaconRejectedException.Reason.class);
    private final MulticastSocket socket;
    private final ScheduledExecutorService sender;
    private final Thread receiver;
    private volatile boolean closed;

    /**
     * Opens the socket, joins {@code group} on the interface that holds {@code bindAddress}, and
     * starts sending and receiving.
     *
     * @throws IOException if no interface holds {@code bindAddress} or the socket cannot be set up
     */
    public Beacon(
            ClusterId clusterId,
            ClusterKey clusterKey,
            NodeId self,
            InetAddress bindAddress,
            InetSocketAddress gossipAddress,
            InetSocketAddress group,
            Duration interval,
            Consumer<InetSocketAddress> onPeer)
            throws IOException {
        this.clusterId = clusterId;
        this.clusterKey = clusterKey;
        this.self = self;
        this.gossipAddress = gossipAddress;
        this.group = group;
        this.onPeer = onPeer;
        for (BeaconRejectedException.Reason reason : BeaconRejectedException.Reason.values()) {
            rejected.put(reason, new AtomicLong());
        }
        this.socket = open(bindAddress, group);
        this.sender = Executors.newSingleThreadScheduledExecutor(runnable -> {
            var thread = new Thread(runnable, "aspen-beacon-send-" + group.getPort());
            thread.setDaemon(true);
            return thread;
        });
        this.receiver = new Thread(this::receiveLoop, "aspen-beacon-receive-" + group.getPort());
        receiver.setDaemon(true);
        receiver.start();
        sender.scheduleAtFixedRate(this::send, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static MulticastSocket open(InetAddress bindAddress, InetSocketAddress group) throws IOException {
        NetworkInterface nif = NetworkInterface.getByInetAddress(bindAddress);
        if (nif == null) {
            throw new SocketException("no network interface holds bind address " + bindAddress.getHostAddress()
                    + "; the beacon needs a specific (non-wildcard) local address");
        }
        var socket = new MulticastSocket(group.getPort());
        try {
            socket.setNetworkInterface(nif);
            socket.setTimeToLive(1);
            socket.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
            socket.joinGroup(group, nif);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void send() {
        byte[] nonce = new byte[BeaconPacket.NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] bytes =
                new BeaconPacket(clusterId, self, System.currentTimeMillis(), nonce, gossipAddress).encode(clusterKey);
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, group));
            sent.incrementAndGet();
        } catch (IOException e) {
            if (!closed) {
                log.debug("beacon send to {} failed: {}", group, e.toString());
            }
        }
    }

    private void receiveLoop() {
        byte[] buffer = new byte[BeaconPacket.MAX_BYTES + 1];
        while (!closed) {
            var packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                if (!closed) {
                    log.warn("beacon receive on {} failed, beacon stops listening: {}", group, e.toString());
                }
                return;
            }
            handle(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
        }
    }

    /** Verifies one received packet and reports its sender; drops and counts it if bad. */
    void handle(byte[] bytes) {
        try {
            BeaconPacket beacon = BeaconPacket.decode(bytes, clusterId, clusterKey);
            if (beacon.nodeId().equals(self)) {
                return;
            }
            replayGuard.check(beacon, System.currentTimeMillis());
            accepted.incrementAndGet();
            onPeer.accept(beacon.gossipAddress());
        } catch (BeaconRejectedException e) {
            rejected.get(e.reason()).incrementAndGet();
            log.debug("dropped beacon: {}", e.getMessage());
        }
    }

    /** Beacons sent so far. */
    public long sent() {
        return sent.get();
    }

    /** Verified beacons from other nodes of the cluster so far. */
    public long accepted() {
        return accepted.get();
    }

    /** A copy of the drop counters. */
    public Map<BeaconRejectedException.Reason, Long> rejected() {
        var out = new EnumMap<BeaconRejectedException.Reason, Long>(BeaconRejectedException.Reason.class);
        rejected.forEach((reason, count) -> out.put(reason, count.get()));
        return out;
    }

    /** Stops both threads and closes the socket; waits up to one second for the receiver. */
    @Override
    public void close() {
        closed = true;
        sender.shutdownNow();
        socket.close();
        try {
            receiver.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
