package dev.aspen.mesh.node;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroup;
import dev.aspen.consensus.RaftGroupConfig;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.consensus.codec.RaftCodec;
import dev.aspen.consensus.store.CorruptStoreException;
import dev.aspen.consensus.store.DurableRaftStore;
import dev.aspen.consensus.store.StoreOptions;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvConfig;
import dev.aspen.kv.KvStateMachine;
import dev.aspen.kv.LeaseExpiry;
import dev.aspen.kv.RaftCommandLog;
import dev.aspen.mesh.client.KvService;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.quic.EndpointMetrics;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica of the key/value store, fully wired: identity, QUIC endpoint (Raft and client
 * protocols, plus any the caller adds), durable Raft log, Raft group, Chronicle Map state machine,
 * lease expiry on the leader, and request forwarding to the leader. Discovery, bootstrap and
 * membership automation are {@link AspenNode}'s job; here the members are given.
 *
 * <p>Data directory layout: {@code raft/} (write-ahead log), {@code kv/} (state machine files).
 * A start finds what the log recovered and restarts from it; otherwise it forms the group from
 * {@link Settings#initialMembers()}, or, with {@link Settings#join()}, waits to be added to the
 * group those were the initial members of.
 *
 * <p>The Raft protocol admits every dialer that passed admission (it holds the cluster key): Raft
 * itself ignores messages from non-members, and a joining node must accept the leader before its
 * log tells it who the members are.
 */
public final class ReplicaNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaNode.class);
    private static final long LEASE_TICK_MILLIS = 500;

    /**
     * What a replica needs.
     *
     * @param addresses where each member's QUIC endpoint is, looked up before each connection
     * @param join on a first start: wait to be added to the existing group whose initial members
     *     are {@code initialMembers} (which must not include this node), instead of forming one
     */
    public record Settings(
            Path dataDir,
            NodeIdentity identity,
            ClusterKey clusterKey,
            String groupId,
            List<NodeId> initialMembers,
            Function<NodeId, List<InetSocketAddress>> addresses,
            QuicConfig quic,
            RaftGroupConfig raft,
            boolean join) {
        /** Settings that form (or restart) a group. */
        public Settings(
                Path dataDir,
                NodeIdentity identity,
                ClusterKey clusterKey,
                String groupId,
                List<NodeId> initialMembers,
                Function<NodeId, List<InetSocketAddress>> addresses,
                QuicConfig quic,
                RaftGroupConfig raft) {
            this(dataDir, identity, clusterKey, groupId, initialMembers, addresses, quic, raft, false);
        }
    }

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
    private final List<Consumer<RaftGroupReport>> reportListeners = new CopyOnWriteArrayList<>();
    private volatile boolean leader;

    private ReplicaNode(
            Settings settings,
            DurableRaftStore store,
            UnaryOperator<KeyValueStore> frontEnd,
            Function<ReplicaNode, List<Protocol>> moreProtocols)
            throws IOException {
        this.settings = settings;
        NodeId self = settings.identity().nodeId();
        RaftCodec codec = new RaftCodec();
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
        this.store = store;
        this.expiry = new LeaseExpiry(() -> System.nanoTime() / 1_000_000, 1_000, 100);
        this.machine = KvStateMachine.open(KvConfig.builder(settings.dataDir().resolve("kv"))
                .leaseListener(expiry)
                .build());
        Optional<String> lostEntries = logBehindState(store, machine, settings.dataDir());
        if (lostEntries.isPresent()) {
            timers.shutdownNow();
            transport.close();
            machine.close();
            throw new CorruptStoreException(lostEntries.get());
        }
        RaftGroup.Builder builder = RaftGroup.builder(settings.groupId(), new NodeEndpoint(self))
                .config(settings.raft())
                .stateMachine(machine)
                .transport(transport)
                .store(store)
                .reportListener(this::onReport);
        List<NodeEndpoint> initial =
                settings.initialMembers().stream().map(NodeEndpoint::new).toList();
        this.group = store.restoredState()
                .map(builder::restart)
                .orElseGet(() -> settings.join() ? builder.join(initial) : builder.startNew(initial));
        this.commandLog = new RaftCommandLog(group);
        this.kv = frontEnd.apply(KeyValueStore.over(commandLog, machine, expiry));
        RpcServer clients =
                new RpcServer(new KvService(kv, this::forward), settings.quic().maxFrameBytes(), 1024);
        List<Protocol> protocols = new ArrayList<>(List.of(
                transport.protocol(peer -> true, group::handle),
                // Holders of a join ticket may use the cluster as clients, as they may join it.
                new Protocol(Protocol.CLIENT_ALPN, peer -> true, clients).acceptingJoinKey()));
        try {
            protocols.addAll(moreProtocols.apply(this));
            this.endpoint = QuicEndpoint.start(settings.quic(), settings.identity(), settings.clusterKey(), protocols);
        } catch (IOException | RuntimeException e) {
            timers.shutdownNow();
            awaitTermination();
            transport.close();
            machine.close();
            throw e;
        }
        transport.attach(endpoint);
        timers.scheduleWithFixedDelay(this::expireLeases, LEASE_TICK_MILLIS, LEASE_TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the data directory and starts the replica. Blocks on disk I/O and binding the port.
     *
     * @throws IOException if the log, the state machine files or the port cannot be opened
     */
    public static ReplicaNode start(Settings settings) throws IOException {
        return start(settings, openLog(settings.dataDir()), UnaryOperator.identity(), node -> List.of());
    }

    /**
     * Why the state machine must not run on this log, if it applied more than the log holds: those
     * entries were committed (and maybe acknowledged), so the log lost them — a truncated or damaged
     * tail, or a lost directory. Running anyway would ignore the new entries written at those indexes.
     */
    private static Optional<String> logBehindState(DurableRaftStore store, KvStateMachine machine, Path dataDir) {
        long logEnd = store.restoredState()
                .map(state -> {
                    var entries = state.getLogEntries();
                    long snapshot = state.getSnapshotEntry() == null
                            ? 0
                            : state.getSnapshotEntry().getIndex();
                    return entries.isEmpty()
                            ? snapshot
                            : entries.get(entries.size() - 1).getIndex();
                })
                .orElse(0L);
        if (machine.appliedIndex() <= logEnd) {
            return Optional.empty();
        }
        return Optional.of("the Raft log in " + store.directory() + " ends at index " + logEnd
                + " but the key/value state in " + dataDir.resolve("kv") + " has applied index "
                + machine.appliedIndex() + ": the log lost committed entries ("
                + (store.tailRepairs().isEmpty()
                        ? "a missing or truncated log file"
                        : "tails cut at open: " + store.tailRepairs())
                + "); refusing to start. Restore this node from a replica: delete " + dataDir.resolve("raft") + " and "
                + dataDir.resolve("kv") + " and let it join as a new learner");
    }

    /**
     * Opens (and recovers) the Raft log in {@code dataDir}, so a caller can see with {@link
     * DurableRaftStore#restoredState()} whether there is a group to restart before choosing how to
     * {@link #start(Settings, DurableRaftStore, Function) start}.
     */
    public static DurableRaftStore openLog(Path dataDir) throws IOException {
        return DurableRaftStore.open(dataDir.resolve("raft"), new RaftCodec(), StoreOptions.defaults());
    }

    /**
     * As {@link #start(Settings)}, on a log {@link #openLog opened} before (the replica owns and
     * closes it from here on, also when the start fails), serving {@code frontEnd} applied to the
     * store (for example metrics and a full-disk guard) to clients, and also serving the protocols
     * {@code moreProtocols} makes. That function is called once, before the endpoint binds, with
     * this replica (whose {@link #kv()} and {@link #group()} are ready; {@link #address()} is not).
     */
    public static ReplicaNode start(
            Settings settings,
            DurableRaftStore log,
            UnaryOperator<KeyValueStore> frontEnd,
            Function<ReplicaNode, List<Protocol>> moreProtocols)
            throws IOException {
        try {
            return new ReplicaNode(settings, log, frontEnd, moreProtocols);
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /**
     * Registers {@code listener} for every later Raft report (role, status and membership changes,
     * and periodically). Called on the Raft thread: must not block.
     */
    public void addReportListener(Consumer<RaftGroupReport> listener) {
        reportListeners.add(listener);
    }

    private void onReport(RaftGroupReport report) {
        for (Consumer<RaftGroupReport> listener : reportListeners) {
            try {
                listener.accept(report);
            } catch (RuntimeException e) {
                log.warn("Raft report listener failed", e);
            }
        }
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
                client = dial(leaderId, Protocol.CLIENT_ALPN);
                forwarding.put(leaderId, client);
            }
            return Optional.of(client.call(request));
        } catch (IOException e) {
            log.debug("cannot forward to leader {}: {}", leaderId, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Opens an RPC connection from this replica's endpoint to {@code peer}'s protocol {@code alpn},
     * trying each of its known addresses, with {@link RpcClient.Settings#forwarding()} (short call
     * bounds, for calls sent on behalf of a client). The caller closes it.
     *
     * @throws IOException if no address is known or none answers
     */
    public RpcClient dial(NodeId peer, String alpn) throws IOException {
        IOException last = new IOException("no address known for node " + peer);
        for (InetSocketAddress address : settings.addresses().apply(peer)) {
            try {
                return new RpcClient(endpoint.connect(peer, address, alpn), RpcClient.Settings.forwarding(), timers);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    /** What this replica's endpoint has counted (connections, authentication failures, bad frames). */
    public EndpointMetrics endpointMetrics() {
        return endpoint.metrics();
    }

    /**
     * Why this replica's Raft log stopped, if a disk error (a full disk, an I/O error) stopped it:
     * the replica then neither persists nor acknowledges entries, and only a restart reopens the
     * log, after the cause is fixed.
     */
    public Optional<String> logFailure() {
        return store.failure()
                .map(e -> "the Raft log in " + store.directory() + " stopped on a disk error (" + e.getMessage()
                        + "); this node no longer persists or acknowledges entries: fix the cause (free space)"
                        + " and restart the node");
    }

    /** The key/value store of this replica as clients see it (writes go through the Raft group). */
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

    private void awaitTermination() {
        try {
            group.terminate().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("interrupted while the Raft group terminated");
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Raft group did not terminate cleanly: {}", e.toString());
        }
    }

    /** Stops in reverse start order; the state machine is closed cleanly so a restart reuses it. */
    @Override
    public void close() {
        timers.shutdownNow();
        forwarding.values().forEach(RpcClient::close);
        awaitTermination();
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
