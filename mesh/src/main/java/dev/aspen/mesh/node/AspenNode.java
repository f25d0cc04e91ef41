package dev.aspen.mesh.node;

import dev.aspen.consensus.MonotonicClock;
import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroupConfig;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.consensus.store.DurableRaftStore;
import dev.aspen.discovery.Discovery;
import dev.aspen.discovery.DiscoveryBuilder;
import dev.aspen.discovery.PeerDirectory;
import dev.aspen.discovery.PeerRecord;
import dev.aspen.discovery.Role;
import dev.aspen.discovery.TimingProfile;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.mesh.client.AspenClient;
import dev.aspen.mesh.cluster.AdminClient;
import dev.aspen.mesh.cluster.AdminService;
import dev.aspen.mesh.cluster.ClusterAdmin;
import dev.aspen.mesh.cluster.ClusterStatus;
import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.mesh.http.HttpApi;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.metrics.DiskGuard;
import dev.aspen.mesh.metrics.DiskGuardedStore;
import dev.aspen.mesh.metrics.MeteredKeyValueStore;
import dev.aspen.mesh.metrics.MetricsRegistry;
import dev.aspen.mesh.metrics.NodeMetrics;
import dev.aspen.mesh.quic.LinkFaults;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.mesh.rpc.RpcClient;
import dev.aspen.tickets.ClusterCredentials;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import dev.aspen.tickets.TicketPeer;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole Aspen node: identity, discovery, the replica (Raft over QUIC, the key/value state
 * machine), bootstrap and join, autopilot, and the admin protocol. What {@code aspen node} runs and
 * what a Java program embeds.
 *
 * <p>Start-up ({@link #start}): load or create the identity and the cluster credentials in the data
 * directory (the cookie; or, for a node given only a join ticket, the cluster key it fetches with
 * the ticket's join secret from one of the ticket's nodes and keeps there), open
 * the Raft log, start discovery, then
 *
 * <ul>
 *   <li>restart the group the log holds, if any; else
 *   <li>join an existing cluster as soon as discovery finds a member of one (through a ticket,
 *       {@code --peers}, remembered peers or the LAN beacon): start the replica with the group's
 *       initial members and ask the leader to add it as a learner; else
 *   <li>with {@code bootstrapExpect = N > 0}: once N nodes waiting to bootstrap (this one included)
 *       have been seen, unchanged for a moment, the N with the smallest NodeIds form the group.
 * </ul>
 *
 * {@link #start} returns once the replica runs; a joining node becomes a member in the background.
 * The autopilot then runs on whichever node leads.
 */
public final class AspenNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AspenNode.class);
    static final String GROUP_ID = "kv";
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Duration JOIN_RETRY = Duration.ofSeconds(2);
    private static final Duration PROGRESS_LOG = Duration.ofSeconds(10);
    private static final Duration FIND_CLUSTER_PERIOD = Duration.ofSeconds(1);
    private static final Duration MEMBERSHIP_CHECK = Duration.ofSeconds(10);

    private final NodeConfig config;
    private final NodeIdentity identity;
    private final ClusterCredentials credentials;
    private final PeerBook peers;
    private final Discovery discovery;
    private final Autopilot autopilot;
    private final ScheduledExecutorService timers;
    private final PeerLinks<AdminClient> adminLinks = new PeerLinks<>();
    private final PeerLinks<AspenClient> kvLinks = new PeerLinks<>();
    private final AtomicBoolean changeInFlight = new AtomicBoolean();
    private final AtomicReference<Role> advertised = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ReplicaNode replica;
    private final MetricsRegistry metrics = new MetricsRegistry();
    private final NodeMetrics nodeMetrics = new NodeMetrics(metrics);
    private final DiskGuard diskGuard;
    private final Optional<LinkFaults> linkFaults;
    private volatile NodeAdmin admin;
    private volatile KeyValueStore kv;
    private volatile RaftGroupReport lastReport;
    private volatile HttpApi http;
    private volatile long lastJoinAttemptNanos;
    private volatile long leaderlessSinceNanos;
    private volatile long lastMembershipCheckNanos;
    private volatile String removedReason;

    private AspenNode(
            NodeConfig config,
            NodeIdentity identity,
            ClusterCredentials credentials,
            PeerBook peers,
            Discovery discovery)
            throws IOException {
        this.config = config;
        this.diskGuard = DiskGuard.forDataDir(config.dataDir(), config.diskFullPercent());
        this.linkFaults = config.faultInjection() ? Optional.of(new LinkFaults()) : Optional.empty();
        linkFaults.ifPresent(faults -> log.warn("fault injection is on: this node's QUIC links can be cut"
                + " through /v1/debug/faults; never run a production node like this"));
        this.identity = identity;
        this.credentials = credentials;
        this.peers = peers;
        this.discovery = discovery;
        this.autopilot = new Autopilot(
                identity.nodeId(),
                config.voters(),
                config.deadVoterGrace(),
                MonotonicClock.INSTANCE,
                Clock.systemUTC(),
                this::health);
        this.timers = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(
                    runnable, "aspen-node-" + identity.nodeId().toString().substring(0, 6));
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts a node. Blocks until its replica runs: at once on a restart, else until a cluster to
     * join is found or the bootstrap condition holds (possibly for long: it logs what it waits for).
     *
     * @throws FormatException when the data directory belongs to another cluster or its files are
     *     invalid, or there is no cookie and the ticket has no join secret or the cluster refused it
     * @throws IOException when a port or a file cannot be opened, or no node of a join ticket can
     *     be reached to fetch the cluster key
     * @throws InterruptedException when interrupted while waiting for peers
     */
    public static AspenNode start(NodeConfig config) throws IOException, InterruptedException {
        Path dataDir = config.dataDir();
        Files.createDirectories(dataDir);
        NodeIdentity identity = NodeIdentity.loadOrCreate(dataDir);
        ClusterCredentials credentials =
                NodeFiles.credentials(dataDir, config.cookie(), config.ticket(), AdminClient::fetchCredentials);
        if (config.ticket().isPresent() && !config.ticket().get().clusterId().equals(credentials.clusterId())) {
            throw new FormatException("the ticket is for cluster "
                    + config.ticket().get().clusterId() + " but the cookie is for cluster " + credentials.clusterId());
        }
        Optional<NodeFiles.NodeInfo> previous = Files.exists(dataDir.resolve(NodeFiles.NODE_FILE))
                ? Optional.of(NodeFiles.readNodeInfo(dataDir))
                : Optional.empty();
        PeerBook peers = PeerBook.load(dataDir);
        DurableRaftStore raftLog = ReplicaNode.openLog(dataDir);
        AspenNode node = null;
        try {
            boolean restart = raftLog.restoredState().isPresent();
            int quicPort = quicPort(config, previous);
            InetSocketAddress http = httpAddress(config, previous);
            Discovery discovery = discovery(config, identity, credentials, peers, previous, quicPort, http, restart);
            node = new AspenNode(config, identity, credentials, peers, discovery);
            peers.attach(discovery.directory());
            discovery.start();
            node.startReplica(raftLog, quicPort, restart);
            node.startHttp(http);
            return node;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (node != null) {
                node.close();
            }
            raftLog.close(); // idempotent: the replica may have closed it already
            throw e;
        }
    }

    private static int quicPort(NodeConfig config, Optional<NodeFiles.NodeInfo> previous) throws IOException {
        int port = config.quicPort().orElseGet(() -> previous.map(
                        info -> SocketAddresses.parse(info.quicAddress()).getPort())
                .orElse(0));
        if (port != 0) {
            return port;
        }
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(config.bind(), 0))) {
            return probe.getLocalPort();
        }
    }

    /**
     * Where the HTTP API will listen: the configured port, else the previous run's, else a free
     * one (found now, so discovery can advertise it before the API starts).
     */
    private static InetSocketAddress httpAddress(NodeConfig config, Optional<NodeFiles.NodeInfo> previous)
            throws IOException {
        int port = config.httpPort().orElseGet(() -> previous.flatMap(NodeFiles.NodeInfo::httpAddress)
                .map(address -> SocketAddresses.parse(address).getPort())
                .orElse(0));
        if (port == 0) {
            try (ServerSocket probe = new ServerSocket(0, 1, config.httpBind())) {
                port = probe.getLocalPort();
            }
        }
        return new InetSocketAddress(config.httpBind(), port);
    }

    private static Discovery discovery(
            NodeConfig config,
            NodeIdentity identity,
            ClusterCredentials credentials,
            PeerBook peers,
            Optional<NodeFiles.NodeInfo> previous,
            int quicPort,
            InetSocketAddress http,
            boolean restart) {
        InetSocketAddress advertisedHttp =
                http.getAddress().isAnyLocalAddress() ? new InetSocketAddress(config.bind(), http.getPort()) : http;
        int gossipPort = config.gossipPort().orElseGet(() -> previous.flatMap(NodeFiles.NodeInfo::gossipAddress)
                .map(address -> SocketAddresses.parse(address).getPort())
                .orElseGet(() -> tcpPortFree(config.bind(), quicPort) ? quicPort : 0));
        DiscoveryBuilder builder = Discovery.builder()
                .credentials(credentials)
                .keyPair(identity.keyPair())
                .bindAddress(config.bind())
                .gossipPort(gossipPort)
                .quicAddress(new InetSocketAddress(config.bind(), quicPort))
                .httpAddress(advertisedHttp)
                .role(restart ? Role.VOTER : Role.PENDING)
                .seeds(config.peers())
                .seeds(peers.gossipSeeds())
                .beacon(config.lan())
                .timing(timing(config));
        config.ticket().ifPresent(builder::ticket);
        return builder.build();
    }

    /**
     * The gossip timing for {@code config}: WAN as is; LAN with a 3 s record fetch instead of 1 s,
     * because node JVMs starting together on a busy host (Chronicle compiles, Kwik and ScaleCube
     * start) answer record fetches late, and a member whose record cannot be fetched is not added.
     */
    static TimingProfile timing(NodeConfig config) {
        if (config.timing() == NodeConfig.Timing.WAN) {
            return TimingProfile.WAN;
        }
        TimingProfile lan = TimingProfile.LAN;
        return new TimingProfile(
                lan.pingInterval(),
                lan.pingTimeout(),
                lan.pingReqMembers(),
                lan.suspicionMult(),
                lan.gossipInterval(),
                lan.syncInterval(),
                lan.syncTimeout(),
                Duration.ofSeconds(3),
                lan.connectTimeout(),
                lan.beaconInterval());
    }

    private static boolean tcpPortFree(InetAddress bind, int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, bind)) {
            return probe.isBound();
        } catch (IOException e) {
            return false;
        }
    }

    private void startReplica(DurableRaftStore raftLog, int quicPort, boolean restart)
            throws IOException, InterruptedException {
        List<NodeId> initialMembers;
        boolean join;
        if (restart) {
            initialMembers = List.of(self());
            join = false;
            log.info("restarting the group recorded in {}", config.dataDir().resolve("raft"));
        } else {
            Plan plan = plan();
            initialMembers = plan.initialMembers();
            join = plan.join();
        }
        RaftGroupConfig raft = RaftGroupConfig.builder()
                .leaderHeartbeatPeriod(config.heartbeatPeriod())
                .leaderHeartbeatTimeout(config.electionTimeout())
                .build();
        var settings = new ReplicaNode.Settings(
                config.dataDir(),
                identity,
                credentials.clusterKey(),
                GROUP_ID,
                initialMembers,
                peers::quicAddresses,
                quic().bind(config.bind()).port(quicPort).build(),
                raft,
                join);
        UnaryOperator<KeyValueStore> frontEnd =
                store -> new MeteredKeyValueStore(new DiskGuardedStore(store, diskGuard), metrics);
        this.replica = ReplicaNode.start(settings, raftLog, frontEnd, started -> {
            this.admin = new NodeAdmin(
                    credentials,
                    self(),
                    started.group(),
                    peers,
                    this::health,
                    autopilot,
                    this::leaderLink,
                    this::selfAddresses,
                    this::httpAddressOf);
            return List.of(
                    AdminService.protocol(admin, credentials, settings.quic().maxFrameBytes()));
        });
        this.kv = new LeaderForwardingStore(
                replica.kv(),
                new LeaderForwardingStore.Leaders() {
                    @Override
                    public KeyValueStore to(NodeId leader) throws IOException {
                        return leaderStore(leader);
                    }

                    @Override
                    public Optional<NodeId> known() {
                        RaftGroupReport report = lastReport;
                        return report == null
                                ? Optional.empty()
                                : report.leader().map(NodeEndpoint::nodeId);
                    }
                },
                timers);
        nodeMetrics
                .quic(replica.endpointMetrics())
                .gossip(() -> discovery.directory().size(), discovery::stats)
                .disk(diskGuard);
        replica.addReportListener(this::onReport);
        // A group that elected its leader before the listener was added (a one-node bootstrap does at
        // once) reports again only after MicroRaft's report period (10 s): until then this node would
        // advertise PENDING, so joiners would not find the cluster, and /health would say "starting".
        replica.group().report().thenAccept(this::onReport);
        timers.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void startHttp(InetSocketAddress address) throws IOException {
        HttpApi.Builder settings = HttpApi.Settings.builder(kv, admin, self(), replica.address())
                .bind(address)
                .token(config.httpToken())
                .unhealthyReason(this::unhealthyReason)
                .metrics(this::scrapeMetrics);
        linkFaults.ifPresent(settings::linkFaults);
        HttpApi api = HttpApi.start(settings.build());
        this.http = api;
        metrics.gauge("aspen_http_open_watches", "Server-sent-event watches open on the HTTP API.", api::openWatches);
    }

    /** QUIC settings with this node's fault switch, if it has one: for its endpoint and every dial. */
    private QuicConfig.Builder quic() {
        QuicConfig.Builder quic = QuicConfig.builder();
        linkFaults.ifPresent(quic::linkFaults);
        return quic;
    }

    /** How a first start goes: form a new group with these members, or join the group they started. */
    private record Plan(boolean join, List<NodeId> initialMembers) {}

    private Plan plan() throws InterruptedException {
        TimingProfile timing = timing(config);
        boolean canHear = config.lan()
                || !config.peers().isEmpty()
                || config.ticket().isPresent()
                || !peers.gossipSeeds().isEmpty();
        Duration window =
                canHear ? max(Duration.ofMillis(1500), timing.syncInterval().multipliedBy(2)) : Duration.ZERO;
        Duration settle = canHear ? timing.syncInterval() : Duration.ZERO;
        long startNanos = System.nanoTime();
        long lastProgress = startNanos;
        List<NodeId> candidates = List.of();
        long candidatesSince = startNanos;
        long lastLookNanos = startNanos - FIND_CLUSTER_PERIOD.toNanos();
        while (!closed.get()) {
            Optional<ClusterStatus> existing = Optional.empty();
            if (System.nanoTime() - lastLookNanos >= FIND_CLUSTER_PERIOD.toNanos()) {
                lastLookNanos = System.nanoTime();
                existing = findCluster();
            }
            if (existing.isPresent()) {
                log.info(
                        "found cluster {} (leader {}); joining it",
                        existing.get().clusterId(),
                        existing.get().leader().orElseThrow());
                return new Plan(true, existing.get().initialMembers());
            }
            long now = System.nanoTime();
            if (config.bootstrapExpect() > 0) {
                List<NodeId> pending = new ArrayList<>();
                pending.add(self());
                discovery.directory().snapshot().stream()
                        .filter(peer -> peer.role() == Role.PENDING)
                        .map(PeerRecord::nodeId)
                        .forEach(pending::add);
                pending.sort(Comparator.naturalOrder());
                List<NodeId> formers = pending.size() >= config.bootstrapExpect()
                        ? List.copyOf(pending.subList(0, config.bootstrapExpect()))
                        : List.of();
                if (!formers.equals(candidates)) {
                    candidates = formers;
                    candidatesSince = now;
                }
                boolean settled = now - candidatesSince >= settle.toNanos() && now - startNanos >= window.toNanos();
                if (!formers.isEmpty() && settled && formers.contains(self())) {
                    log.info("bootstrapping a new cluster with {} voters: {}", formers.size(), formers);
                    return new Plan(false, formers);
                }
            }
            if (now - lastProgress >= PROGRESS_LOG.toNanos()) {
                lastProgress = now;
                log.info(
                        config.bootstrapExpect() > 0
                                ? "waiting for peers: {} of {} nodes to bootstrap seen, no existing cluster found"
                                : "waiting to find a member of the cluster to join ({} peers seen)",
                        discovery.directory().size() + 1,
                        config.bootstrapExpect());
            }
            Thread.sleep(200);
        }
        throw new InterruptedException("the node was closed while waiting for peers");
    }

    /** A member of a formed cluster that discovery has found, and that cluster's status. */
    private Optional<ClusterStatus> findCluster() {
        for (PeerRecord peer : discovery.directory().snapshot()) {
            if (peer.role() != Role.VOTER && peer.role() != Role.LEARNER) {
                continue;
            }
            try (AdminClient client = AdminClient.connect(
                    List.of(new TicketPeer(peer.nodeId(), List.of(peer.quicAddress()))),
                    credentials.clusterKey(),
                    AdminClient.defaultSettings(),
                    quic().build())) {
                ClusterStatus status = client.status().get(5, TimeUnit.SECONDS);
                if (status.leader().isPresent() && !status.initialMembers().isEmpty()) {
                    return Optional.of(status);
                }
            } catch (Exception e) {
                log.debug("cluster member {} did not answer: {}", peer.nodeId(), e.toString());
            }
        }
        return Optional.empty();
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private void onReport(RaftGroupReport report) {
        RaftGroupReport previous = lastReport;
        if (previous == null || !previous.leader().equals(report.leader())) {
            log.info(
                    "leader is now {} (term {})",
                    report.leader().map(l -> l.nodeId().toString()).orElse("unknown"),
                    report.term());
        }
        lastReport = report;
        nodeMetrics.onReport(report);
        NodeEndpoint me = new NodeEndpoint(self());
        Role role = report.committedMembers().votingMembers().contains(me)
                ? Role.VOTER
                : report.committedMembers().members().contains(me) ? Role.LEARNER : Role.PENDING;
        Role old = advertised.getAndSet(role);
        if (role != old && !closed.get()) {
            timers.execute(() -> {
                if (!closed.get() && advertised.get() == role) {
                    discovery.updateRole(role);
                }
            });
        }
    }

    /** Every second: join if not a member yet; run the autopilot on the leader. */
    private void tick() {
        ReplicaNode current = replica;
        if (current == null || closed.get()) {
            return;
        }
        RaftGroupReport report;
        try {
            report = current.group().report().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("no Raft report: {}", e.toString());
            return;
        }
        if (!report.committedMembers().members().contains(new NodeEndpoint(self()))) {
            askToJoin(report);
            return;
        }
        checkStillAMember(report);
        Optional<Autopilot.Action> action = autopilot.plan(report);
        if (action.isPresent() && changeInFlight.compareAndSet(false, true)) {
            Autopilot.Action change = action.get();
            log.info("autopilot: {} {}: {}", change.action(), change.node(), change.reason());
            var future = change.action().equals("remove") ? admin.remove(change.node()) : admin.promote(change.node());
            future.whenComplete((status, failure) -> {
                changeInFlight.set(false);
                String outcome =
                        failure == null ? "ok" : NodeAdmin.translate(failure).getMessage();
                autopilot.record(change, outcome);
                if (failure != null) {
                    log.warn("autopilot: {} {} failed: {}", change.action(), change.node(), outcome);
                }
            });
        }
    }

    /**
     * A member that has heard no leader for a while may have been removed while it was away (the
     * cluster no longer talks to it, so it never learns). Ask a live voter: if its leader's
     * membership lacks this node, say so in the log and in {@link #unhealthyReason()}.
     */
    private void checkStillAMember(RaftGroupReport report) {
        long now = System.nanoTime();
        if (report.leader().isPresent()) {
            leaderlessSinceNanos = 0;
            removedReason = null;
            return;
        }
        if (leaderlessSinceNanos == 0) {
            leaderlessSinceNanos = now;
        }
        if (now - leaderlessSinceNanos < MEMBERSHIP_CHECK.toNanos()
                || now - lastMembershipCheckNanos < MEMBERSHIP_CHECK.toNanos()) {
            return;
        }
        lastMembershipCheckNanos = now;
        discovery.directory().snapshot().stream()
                .filter(peer -> peer.role() == Role.VOTER)
                .findFirst()
                .ifPresent(peer -> {
                    try {
                        leaderLink(peer.nodeId()).status().whenComplete((status, failure) -> {
                            if (failure != null) {
                                closeLink(peer.nodeId());
                            } else if (status.leader().isPresent()
                                    && status.members().stream()
                                            .noneMatch(m -> m.nodeId().equals(self()))) {
                                String reason = "this node was removed from cluster " + status.clusterId()
                                        + " (by autopilot or an operator) while it was away; to join again, stop it,"
                                        + " delete " + config.dataDir().resolve("raft") + " and "
                                        + config.dataDir().resolve("kv") + ", and start it: it joins as a new learner";
                                if (removedReason == null) {
                                    log.error(reason);
                                }
                                removedReason = reason;
                            }
                        });
                    } catch (IOException e) {
                        log.debug("cannot ask {} about membership: {}", peer.nodeId(), e.getMessage());
                    }
                });
    }

    private void askToJoin(RaftGroupReport report) {
        long now = System.nanoTime();
        if (now - lastJoinAttemptNanos < JOIN_RETRY.toNanos() || changeInFlight.get()) {
            return;
        }
        lastJoinAttemptNanos = now;
        List<NodeId> targets = new ArrayList<>();
        report.leader().map(NodeEndpoint::nodeId).ifPresent(targets::add);
        discovery.directory().snapshot().stream()
                .filter(peer -> peer.role() == Role.VOTER || peer.role() == Role.LEARNER)
                .map(PeerRecord::nodeId)
                .filter(node -> !targets.contains(node))
                .forEach(targets::add);
        if (targets.isEmpty()) {
            log.info("not a member yet and no cluster member in sight; still looking");
            return;
        }
        NodeId target = targets.get(0);
        ClusterAdmin link;
        try {
            link = leaderLink(target);
        } catch (IOException e) {
            log.info("cannot reach {} to ask to join: {}", target, e.getMessage());
            return;
        }
        changeInFlight.set(true);
        link.addLearner(self(), selfAddresses()).whenComplete((status, failure) -> {
            changeInFlight.set(false);
            if (failure == null) {
                log.info("admitted to cluster {} as a learner", credentials.clusterId());
            } else {
                log.info(
                        "asked {} to admit this node: {}",
                        target,
                        NodeAdmin.translate(failure).getMessage());
                closeLink(target);
            }
        });
    }

    /** An admin client for {@code node}, kept for reuse until a call through it fails. */
    private ClusterAdmin leaderLink(NodeId node) throws IOException {
        return adminLinks.get(
                node,
                addresses -> AdminClient.connect(
                        List.of(new TicketPeer(node, addresses)),
                        credentials.clusterKey(),
                        AdminClient.defaultSettings(),
                        quic().build()));
    }

    private void closeLink(NodeId node) {
        adminLinks.drop(node);
    }

    /** A client for {@code leader}'s client protocol, for calls this node must forward. */
    private KeyValueStore leaderStore(NodeId leader) throws IOException {
        if (health(leader) == ClusterStatus.Health.DEAD) {
            throw new IOException("leader " + leader + " has left discovery; waiting for the next election");
        }
        return kvLinks.get(
                leader,
                addresses -> AspenClient.connect(
                        List.of(new TicketPeer(leader, addresses)),
                        credentials.clusterKey(),
                        RpcClient.Settings.forwarding(),
                        quic().build()));
    }

    /** Open clients to other nodes, one per node, made on first use. */
    private final class PeerLinks<T extends AutoCloseable> {
        private final Map<NodeId, T> open = new ConcurrentHashMap<>();

        interface Opener<T> {
            T open(List<InetSocketAddress> addresses) throws IOException;
        }

        T get(NodeId node, Opener<T> opener) throws IOException {
            T link = open.get(node);
            if (link != null) {
                return link;
            }
            List<InetSocketAddress> addresses = peers.quicAddresses(node);
            if (addresses.isEmpty()) {
                throw new IOException("no address known for node " + node);
            }
            link = opener.open(addresses);
            T raced = open.putIfAbsent(node, link);
            if (raced != null) {
                closeQuietly(link);
                return raced;
            }
            return link;
        }

        void drop(NodeId node) {
            T link = open.remove(node);
            if (link != null) {
                closeQuietly(link);
            }
        }

        void closeAll() {
            open.keySet().forEach(this::drop);
        }

        private void closeQuietly(T link) {
            try {
                link.close();
            } catch (Exception e) {
                log.debug("closing a link failed: {}", e.toString());
            }
        }
    }

    ClusterStatus.Health health(NodeId node) {
        if (node.equals(self())) {
            return ClusterStatus.Health.SELF;
        }
        PeerDirectory directory = discovery.directory();
        if (directory.lookup(node).isEmpty()) {
            return ClusterStatus.Health.DEAD;
        }
        return directory.isSuspect(node) ? ClusterStatus.Health.SUSPECT : ClusterStatus.Health.ALIVE;
    }

    private List<InetSocketAddress> selfAddresses() {
        PeerRecord record = discovery.localRecord();
        return PeerBook.ticketAddresses(record.quicAddress(), record.gossipAddress());
    }

    private Optional<InetSocketAddress> httpAddressOf(NodeId node) {
        if (node.equals(self())) {
            return discovery.localRecord().httpAddress();
        }
        return discovery.directory().lookup(node).flatMap(PeerRecord::httpAddress);
    }

    private NodeId self() {
        return identity.nodeId();
    }

    public NodeId nodeId() {
        return self();
    }

    /**
     * The node's key/value store. Calls that need the leader (writes, linearizable and lease reads)
     * are sent to it when this node does not lead; stale reads and watches are served here.
     */
    public KeyValueStore kv() {
        return kv;
    }

    /** Cluster administration through this node (mutations are sent to the leader). */
    public ClusterAdmin admin() {
        return admin;
    }

    /** A ticket for this cluster: this node and the voters it knows addresses of. */
    public ClusterTicket ticket() {
        return admin.ticket();
    }

    /**
     * Why this node cannot serve writes and linearizable reads now, if it cannot: its Raft log
     * stopped on a disk error, not a member yet, no leader known, or a nearly full disk. Empty when healthy (what {@code GET /health}
     * reports).
     */
    public Optional<String> unhealthyReason() {
        if (closed.get()) {
            return Optional.of("the node is shutting down");
        }
        RaftGroupReport report = lastReport;
        if (replica == null || report == null) {
            return Optional.of("the node is starting");
        }
        Optional<String> logFailure = replica.logFailure();
        if (logFailure.isPresent()) {
            return logFailure;
        }
        if (!report.committedMembers().members().contains(new NodeEndpoint(self()))) {
            return Optional.of("this node is not a member of the cluster yet (joining)");
        }
        String removed = removedReason;
        if (removed != null) {
            return Optional.of(removed);
        }
        if (report.leader().isEmpty()) {
            return Optional.of("no leader is known in term " + report.term()
                    + " (an election is running, or a majority of voters is unreachable)");
        }
        return diskGuard.writeRefusal();
    }

    /** The node's metrics in the Prometheus text format ({@link MetricsRegistry#CONTENT_TYPE}). */
    public String scrapeMetrics() {
        return metrics.scrape();
    }

    /** Where this node's QUIC endpoint listens. */
    public InetSocketAddress quicAddress() {
        return replica.address();
    }

    /**
     * This node's QUIC fault switch, present only when it was started with {@link
     * NodeConfig#faultInjection()} (for tests). It covers every QUIC link of the node: Raft, calls
     * forwarded to the leader, admin calls and the client protocol; see {@link LinkFaults} for what
     * blocking one address cuts, and {@link #partition} to cut links both ways.
     */
    public Optional<LinkFaults> linkFaults() {
        return linkFaults;
    }

    /**
     * Cuts the QUIC links between every node of {@code side} and every node of {@code otherSide},
     * both ways: each node blocks the QUIC addresses of the nodes on the other side. Links within
     * a side stay up, and so does gossip (TCP), so discovery still reports the other side alive.
     * Undo with {@link #heal}.
     *
     * @throws IllegalStateException naming a node started without fault injection (before anything
     *     is blocked)
     */
    public static void partition(Collection<AspenNode> side, Collection<AspenNode> otherSide) {
        acrossSides(side, otherSide, LinkFaults::block);
    }

    /** Undoes {@link #partition} of the same sides; other blocked addresses stay blocked. */
    public static void heal(Collection<AspenNode> side, Collection<AspenNode> otherSide) {
        acrossSides(side, otherSide, LinkFaults::heal);
    }

    private static void acrossSides(
            Collection<AspenNode> side,
            Collection<AspenNode> otherSide,
            BiConsumer<LinkFaults, InetSocketAddress> change) {
        List<AspenNode> all = new ArrayList<>(side);
        all.addAll(otherSide);
        for (AspenNode node : all) {
            if (node.linkFaults.isEmpty()) {
                throw new IllegalStateException(
                        "node " + node.self() + " was started without fault injection (NodeConfig.faultInjection)");
            }
        }
        for (AspenNode a : side) {
            for (AspenNode b : otherSide) {
                change.accept(a.linkFaults.orElseThrow(), b.quicAddress());
                change.accept(b.linkFaults.orElseThrow(), a.quicAddress());
            }
        }
    }

    /** Where this node's HTTP API listens. */
    public InetSocketAddress httpAddress() {
        return http.address();
    }

    /** What {@value NodeFiles#NODE_FILE} tells tools about this running node. */
    public NodeFiles.NodeInfo info() {
        return new NodeFiles.NodeInfo(
                self().toString(),
                credentials.clusterId().toString(),
                SocketAddresses.format(quicAddress()),
                ticket().toString(),
                Optional.of(SocketAddresses.format(gossipAddress())),
                Optional.of(SocketAddresses.format(httpAddress())));
    }

    /** Where this node's gossip (TCP) listens. */
    public InetSocketAddress gossipAddress() {
        return discovery.localRecord().gossipAddress();
    }

    /**
     * Stops in reverse start order: the autopilot, leadership (handed to another voter when this
     * node leads and one is alive), the replica, discovery. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        HttpApi api = http;
        if (api != null) {
            api.close();
        }
        timers.shutdownNow();
        ReplicaNode current = replica;
        if (current != null) {
            handOffLeadership(current);
            current.close();
        }
        adminLinks.closeAll();
        kvLinks.closeAll();
        discovery.close();
    }

    private void handOffLeadership(ReplicaNode current) {
        try {
            RaftGroupReport report = current.group().report().get(2, TimeUnit.SECONDS);
            if (report.role() == RaftGroupReport.Role.LEADER
                    && report.committedMembers().votingMembers().size() > 1) {
                admin.transferLeadership(Optional.empty()).get(5, TimeUnit.SECONDS);
                log.info("handed leadership over before stopping");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.info("stopping without handing leadership over: {}", e.getMessage());
        }
    }
}
