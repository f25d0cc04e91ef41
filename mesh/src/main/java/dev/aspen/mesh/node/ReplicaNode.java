package dev.aspen.mesh.node;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroup;
import dev.aspen.consensus.RaftGroupConfig;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.consensus.codec.RaftCodec;
import dev.aspen.consensus.store.DurableRaftStore;
import dev.aspen.consensus.store.StoreOptions;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvConfig;
import dev.aspen.kv.KvStateMachine;
import dev.aspen.kv.LeaseExpiry;
import dev.aspen.kv.RaftCommandLog;
import dev.aspen.mesh.client.KvService;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.quic.OutboundChannel;
import dev.aspen.mesh.quic.Protocol;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.mesh.quic.QuicEndpoint;
import dev.aspen.mesh.rpc.RpcClient;
import dev.aspen.mesh.rpc.RpcServer;
import dev.aspen.mesh.transport.QuicRaftTransport;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.NodeId;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica of the key/value store, fully wired: identity, QUIC endpoint (Raft and client
 * protocols), durable Raft log, Raft group, Chronicle Map state machine, lease expiry on the
 * leader, and request forwarding to the leader. Discovery, bootstrap and membership automation
 * are the node's job above this class; here the members are given.
 *
 * <p>Data directory layout: {@code raft/} (write-ahead log), {@code kv/} (state machine files).
 * A start finds what the log recovered and restarts from it; otherwise it forms the group from
 * {@link Settings#initialMembers()}.
 */
public final class ReplicaNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaNode.class);
    private static final long LEASE_TICK_MILLIS = 500;

    /**
     * What a replica needs.
     *
     * @param addresses where each member's QUIC endpoint is, looked up before each connection
     */
    public record Settings(
            Path dataDir,
            NodeIdentity identity,
            ClusterKey clusterKey,
            String groupId,
            List<NodeId> initialMembers,
            Function<NodeId, List<InetSocketAddress>> addresses,
            QuicConfig quic,
            RaftGroupConfig raft) {}

    private final Settings settings;
    private final QuicRaftTransport transport;
    private final DurableRaftStore store;
    private final KvStateMachine machine;
    private final LeaseExpiry expiry;
    private final RaftGroup group;
    private final RaftCommandLog commandLog;
    private final KeyValueStore kv;
    private final QuicEndpoint endpoint;
    private final ScheduledExecutorService timers;
    private final Map<NodeId, RpcClient> forwarding = new ConcurrentHashMap<>();
    private volatile boolean leader;

    private ReplicaNode(Settings settings) throws IOException {
        this.settings = settings;
        NodeId self = settings.identity().nodeId();
        RaftCodec codec = new RaftCodec();
        Set<NodeId> members = Set.copyOf(settings.initialMembers());
        this.timers = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread =
                    new Thread(runnable, "aspen-node-timer-" + self.toString().substring(0, 6));
            thread.setDaemon(true);
            return thread;
        });
        this.transport = new QuicRaftTransport(
                self,
                codec,
                settings.addresses(),
                OutboundChannel.Settings.defaults(),
                settings.quic().maxFrameBytes());
        this.store = DurableRaftStore.open(settings.dataDir().resolve("raft"), codec, StoreOptions.defaults());
        this.expiry = new LeaseExpiry(() -> System.nanoTime() / 1_000_000, 1_000, 100);
        this.machine = KvStateMachine.open(KvConfig.builder(settings.dataDir().resolve("kv"))
                .leaseListener(expiry)
                .build());
        RaftGroup.Builder builder = RaftGroup.builder(settings.groupId(), new NodeEndpoint(self))
                .config(settings.raft())
                .stateMachine(machine)
                .transport(transport)
                .store(store)
                .reportListener(this::onReport);
        this.group = store.restoredState()
                .map(builder::restart)
                .orElseGet(() -> builder.startNew(settings.initialMembers().stream()
                        .map(NodeEndpoint::new)
                        .toList()));
        this.commandLog = new RaftCommandLog(group);
        this.kv = KeyValueStore.over(commandLog, machine, expiry);
        RpcServer clients =
                new RpcServer(new KvService(kv, this::forward), settings.quic().maxFrameBytes(), 1024);
        this.endpoint = QuicEndpoint.start(
                settings.quic(),
                settings.identity(),
                settings.clusterKey(),
                List.of(
                        transport.protocol(members::contains, group::handle),
                        new Protocol(Protocol.CLIENT_ALPN, peer -> true, clients)));
        transport.attach(endpoint);
        timers.scheduleWithFixedDelay(this::expireLeases, LEASE_TICK_MILLIS, LEASE_TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the data directory and starts the replica. Blocks on disk I/O and binding the port.
     *
     * @throws IOException if the log, the state machine files or the port cannot be opened
     */
    public static ReplicaNode start(Settings settings) throws IOException {
        return new ReplicaNode(settings);
    }

    private void onReport(RaftGroupReport report) {
        boolean nowLeader = report.role() == RaftGroupReport.Role.LEADER;
        if (nowLeader != leader) {
            leader = nowLeader;
            if (nowLeader) {
                expiry.becomeLeader();
            } else {
                expiry.stepDown();
            }
        }
    }

    private void expireLeases() {
        if (leader) {
            expiry.proposeDue(commandLog).whenComplete((r, e) -> {
                if (e != null) {
                    log.debug("lease expiry proposal failed: {}", e.getMessage());
                }
            });
        }
    }

    private Optional<CompletableFuture<byte[]>> forward(NodeId leaderId, byte[] request) {
        if (leaderId.equals(settings.identity().nodeId())) {
            return Optional.empty();
        }
        try {
            RpcClient client = forwarding.get(leaderId);
            if (client == null || !client.isConnected()) {
                client = connectTo(leaderId);
                forwarding.put(leaderId, client);
            }
            return Optional.of(client.call(request));
        } catch (IOException e) {
            log.debug("cannot forward to leader {}: {}", leaderId, e.getMessage());
            return Optional.empty();
        }
    }

    private RpcClient connectTo(NodeId peer) throws IOException {
        IOException last = new IOException("no address known for node " + peer);
        for (InetSocketAddress address : settings.addresses().apply(peer)) {
            try {
                return new RpcClient(
                        endpoint.connect(peer, address, Protocol.CLIENT_ALPN), RpcClient.Settings.defaults(), timers);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    /** The key/value store of this replica (writes go through the Raft group). */
    public KeyValueStore kv() {
        return kv;
    }

    public RaftGroup group() {
        return group;
    }

    public NodeId nodeId() {
        return settings.identity().nodeId();
    }

    /** The QUIC address peers and clients reach this replica at. */
    public InetSocketAddress address() {
        return endpoint.localAddress();
    }

    /** Stops in reverse start order; the state machine is closed cleanly so a restart reuses it. */
    @Override
    public void close() {
        timers.shutdownNow();
        forwarding.values().forEach(RpcClient::close);
        try {
            group.terminate().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("Raft group did not terminate cleanly: {}", e.toString());
        }
        transport.close();
        endpoint.close();
        try {
            store.close();
        } catch (IOException e) {
            log.warn("closing the Raft log failed: {}", e.getMessage());
        }
        machine.close();
    }
}
