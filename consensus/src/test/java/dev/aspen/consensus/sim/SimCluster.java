package dev.aspen.consensus.sim;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroup;
import dev.aspen.consensus.RaftGroupConfig;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.consensus.ReplicatedStateMachine;
import dev.aspen.consensus.Result;
import dev.aspen.tickets.NodeId;
import io.microraft.model.message.RaftMessage;
import io.microraft.persistence.RestoredRaftState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * A whole Raft group in one thread on virtual time: nodes with their {@link SimRaftStore}, {@link
 * RecordingStateMachine} and {@link SimExecutor}, a {@link SimNetwork}, crash and restart. Every
 * random choice derives from the seed, so one seed gives one exact run; {@link #replayHint()}
 * tells how to run a seed again.
 */
public final class SimCluster {
    /** The system property that replays one seed. */
    public static final String SEED_PROPERTY = "aspen.sim.seed";

    /** Default event budget of one run. */
    public static final long DEFAULT_MAX_EVENTS = 20_000_000;

    /** One simulated node and its current incarnation. */
    public static final class Node {
        private final NodeEndpoint endpoint;
        private final boolean joiner;
        private final SimRaftStore store = new SimRaftStore();
        private SimExecutor executor;
        private ReplicatedStateMachine application;
        private RaftGroup group;
        private RaftGroupReport lastReport;
        private boolean up;
        private boolean retired;
        private int incarnation;

        private Node(NodeEndpoint endpoint, boolean joiner) {
            this.endpoint = endpoint;
            this.joiner = joiner;
        }

        /** The node's endpoint. */
        public NodeEndpoint endpoint() {
            return endpoint;
        }

        /** The current incarnation's group. */
        public RaftGroup group() {
            return group;
        }

        /** The current incarnation's state machine. */
        public RecordingStateMachine stateMachine() {
            if (!(application instanceof RecordingStateMachine recording)) {
                throw new IllegalStateException(
                        "this cluster runs " + application.getClass().getName());
            }
            return recording;
        }

        /** The current incarnation's state machine, whatever its type. */
        public ReplicatedStateMachine application() {
            return application;
        }

        /** The node's store (it survives crashes). */
        public SimRaftStore store() {
            return store;
        }

        /** Whether the node runs (not crashed, not terminated, not retired). */
        public boolean isUp() {
            return up && !retired && !group.isTerminated();
        }

        /** Whether the node was removed from the group and terminated for good. */
        public boolean isRetired() {
            return retired;
        }

        /** The last report the node published. */
        public Optional<RaftGroupReport> lastReport() {
            return Optional.ofNullable(lastReport);
        }
    }

    private final long seed;
    private final Random random;
    private final SimScheduler scheduler;
    private final SimNetwork network;
    private final History history = new History();
    private final RaftGroupConfig config;
    private final List<NodeEndpoint> initialMembers = new ArrayList<>();
    private final Map<NodeEndpoint, Node> nodes = new LinkedHashMap<>();
    private long traceDigest;
    private java.util.function.Consumer<String> tracer = line -> {};
    private long nextCommandId = 1;

    /** Creates the state machine of each node incarnation (a fresh, empty one per start). */
    @FunctionalInterface
    public interface StateMachineFactory {
        /** A new state machine for {@code node}; it may report to {@code history}. */
        ReplicatedStateMachine create(NodeEndpoint node, History history);
    }

    private final StateMachineFactory stateMachines;

    private SimCluster(long seed, RaftGroupConfig config, long maxEvents, StateMachineFactory stateMachines) {
        this.stateMachines = stateMachines;
        this.seed = seed;
        this.random = new Random(seed);
        this.scheduler = new SimScheduler(maxEvents);
        this.network = new SimNetwork(scheduler, new Random(random.nextLong()), this::deliver);
        this.config = config;
    }

    /** A cluster of {@code voters} initial members running {@link RecordingStateMachine}s. */
    public static SimCluster create(long seed, int voters, RaftGroupConfig config) {
        return create(seed, voters, config, RecordingStateMachine::new);
    }

    /**
     * A cluster of {@code voters} initial members (not started yet) running the state machines
     * {@code stateMachines} makes (for example the key/value state machine in its module's tests).
     */
    public static SimCluster create(long seed, int voters, RaftGroupConfig config, StateMachineFactory stateMachines) {
        SimCluster cluster = new SimCluster(seed, config, DEFAULT_MAX_EVENTS, stateMachines);
        for (int i = 0; i < voters; i++) {
            NodeEndpoint endpoint = endpoint(i);
            cluster.initialMembers.add(endpoint);
            cluster.nodes.put(endpoint, new Node(endpoint, false));
        }
        return cluster;
    }

    /** The deterministic endpoint of node number {@code i}. */
    public static NodeEndpoint endpoint(int i) {
        byte[] id = new byte[NodeId.LENGTH];
        id[0] = (byte) (i + 1);
        id[NodeId.LENGTH - 1] = (byte) 0x5a;
        return new NodeEndpoint(NodeId.ofBytes(id));
    }

    /** The seed of this run. */
    public long seed() {
        return seed;
    }

    /** How to replay this run, for assertion messages. */
    public String replayHint() {
        return "seed=" + seed + " (replay: mvn -pl consensus test -D" + SEED_PROPERTY + "=" + seed + ")";
    }

    /** The run's random source (network faults and workload choices draw from it too). */
    public Random random() {
        return random;
    }

    /** The event loop. */
    public SimScheduler scheduler() {
        return scheduler;
    }

    /** The network. */
    public SimNetwork network() {
        return network;
    }

    /** The invariant history. */
    public History history() {
        return history;
    }

    /** The initial members. */
    public List<NodeEndpoint> initialMembers() {
        return List.copyOf(initialMembers);
    }

    /** Every node ever added. */
    public Collection<Node> nodes() {
        return nodes.values();
    }

    /** The node with {@code endpoint}. */
    public Node node(NodeEndpoint endpoint) {
        Node node = nodes.get(endpoint);
        if (node == null) {
            throw new IllegalArgumentException("no node " + endpoint);
        }
        return node;
    }

    /** Starts every initial member. */
    public void startAll() {
        initialMembers.forEach(e -> launch(node(e), Optional.empty()));
    }

    /** Creates and starts a node that joins the group (as the leader will add it as a learner). */
    public NodeEndpoint startJoiner() {
        NodeEndpoint endpoint = endpoint(nodes.size());
        Node node = new Node(endpoint, true);
        nodes.put(endpoint, node);
        launch(node, Optional.empty());
        return endpoint;
    }

    /** Crashes {@code endpoint}: its tasks stop, unflushed writes are partly or wholly lost. */
    public void crash(NodeEndpoint endpoint) {
        Node node = node(endpoint);
        node.executor.crash();
        node.store.crash(random);
        node.up = false;
        network.setUp(endpoint, false);
        mix(0xC0FFEE, index(endpoint));
    }

    /**
     * Terminates a node removed from the group, as its owner must; it is never restarted and no
     * longer counts as running.
     */
    public void retire(NodeEndpoint endpoint) {
        Node node = node(endpoint);
        node.retired = true;
        if (node.up) {
            node.group.terminate();
        }
        network.setUp(endpoint, false);
    }

    /** Restarts a crashed node from what its store kept. */
    public void restart(NodeEndpoint endpoint) {
        Node node = node(endpoint);
        if (node.up || node.retired) {
            throw new IllegalStateException(endpoint + " is running or retired");
        }
        launch(node, node.store.restoredState());
    }

    private void launch(Node node, Optional<RestoredRaftState> restored) {
        node.incarnation++;
        node.executor = new SimExecutor(scheduler);
        node.application = stateMachines.create(node.endpoint, history);
        node.lastReport = null;
        RaftGroup.Builder builder = RaftGroup.builder("sim", node.endpoint)
                .config(config)
                .stateMachine(node.application)
                .transport(network.transportFor(node.endpoint))
                .store(node.store)
                .executor(node.executor)
                .clock(scheduler.clock())
                .random(new Random(random.nextLong()))
                .reportListener(report -> onReport(node, report));
        node.up = true;
        network.setUp(node.endpoint, true);
        if (restored.isPresent()) {
            node.group = builder.restart(restored.get());
        } else if (node.joiner) {
            node.group = builder.join(initialMembers);
        } else {
            node.group = builder.startNew(initialMembers);
        }
    }

    private void onReport(Node node, RaftGroupReport report) {
        node.lastReport = report;
        if (report.role() == RaftGroupReport.Role.LEADER) {
            history.leader(report.term(), node.endpoint);
        }
        mix(report.term(), report.role().ordinal() * 16L + index(node.endpoint));
    }

    private void deliver(NodeEndpoint to, RaftMessage message) {
        Node node = nodes.get(to);
        if (node != null && node.up) {
            mix(message.getClass().getName().hashCode(), index(to));
            tracer.accept(scheduler.nowMillis() + " -> " + to.toString().substring(0, 2) + " " + message);
            node.group.handle(message);
        }
    }

    private int index(NodeEndpoint endpoint) {
        return endpoint.nodeId().toBytes()[0];
    }

    private void mix(long a, long b) {
        traceDigest = (traceDigest * 1_000_003 + scheduler.nowNanos()) * 31 + a * 17 + b;
    }

    /** A digest of the run so far: message deliveries, role changes, crashes, applied entries. */
    public long digest() {
        long digest = traceDigest;
        for (Node node : nodes.values()) {
            if (node.application instanceof RecordingStateMachine recording) {
                digest = digest * 31 + recording.digest();
            }
        }
        return digest;
    }

    /** Receives one line per delivered message (for debugging a seed). */
    public void tracer(java.util.function.Consumer<String> value) {
        tracer = value;
    }

    /** The running nodes. */
    public List<Node> upNodes() {
        return nodes.values().stream().filter(Node::isUp).toList();
    }

    /** The running node that last reported itself leader with the highest term, if any. */
    public Optional<NodeEndpoint> leader() {
        Node best = null;
        for (Node node : upNodes()) {
            RaftGroupReport r = node.lastReport;
            if (r != null
                    && r.role() == RaftGroupReport.Role.LEADER
                    && (best == null || r.term() > best.lastReport.term())) {
                best = node;
            }
        }
        return Optional.ofNullable(best).map(Node::endpoint);
    }

    /** Runs until a leader is known or {@code maxMillis} pass; returns it. */
    public Optional<NodeEndpoint> awaitLeader(long maxMillis) {
        scheduler.runUntil(() -> leader().isPresent(), maxMillis);
        return leader();
    }

    /** A new, unique command. */
    public long nextCommandId() {
        return nextCommandId++;
    }

    /** Waits (virtually) up to {@code maxMillis} for {@code future}; returns whether it completed. */
    public boolean await(CompletableFuture<?> future, long maxMillis) {
        return scheduler.runUntil(future::isDone, maxMillis);
    }

    /** The report of {@code endpoint} read on its Raft thread, waiting up to 1 s virtual. */
    public Optional<RaftGroupReport> report(NodeEndpoint endpoint) {
        CompletableFuture<RaftGroupReport> report = node(endpoint).group.report();
        if (!await(report, 1000) || report.isCompletedExceptionally()) {
            return Optional.empty();
        }
        return Optional.of(report.join());
    }

    /**
     * Replicates a new command through the current leader, retrying (with new ids) for up to {@code
     * maxMillis}; returns the acknowledged id and result.
     */
    public Optional<Acked> replicateWithRetry(long maxMillis) {
        return replicateWithRetry(id -> RecordingStateMachine.command(id, 8), maxMillis);
    }

    /**
     * Like {@link #replicateWithRetry(long)}, with the command for each new id made by {@code
     * command} (for clusters running another state machine).
     */
    public Optional<Acked> replicateWithRetry(java.util.function.LongFunction<byte[]> command, long maxMillis) {
        long deadline = scheduler.nowMillis() + maxMillis;
        while (scheduler.nowMillis() < deadline) {
            Optional<NodeEndpoint> leader = awaitLeader(deadline - scheduler.nowMillis());
            if (leader.isEmpty()) {
                break;
            }
            long id = nextCommandId();
            CompletableFuture<Result> f = node(leader.get()).group.replicate(command.apply(id));
            if (await(f, 3000) && !f.isCompletedExceptionally()) {
                return Optional.of(new Acked(id, f.join()));
            }
            scheduler.runFor(100);
        }
        return Optional.empty();
    }

    /** An acknowledged command. */
    public record Acked(long id, Result result) {}

    /**
     * Runs until every running member has applied everything the leader committed and the leader has
     * committed its whole log, polling every 200 ms, for at most {@code maxMillis}.
     */
    public boolean awaitConverged(long maxMillis) {
        long deadline = scheduler.nowMillis() + maxMillis;
        while (scheduler.nowMillis() < deadline) {
            if (converged()) {
                return true;
            }
            scheduler.runFor(200);
        }
        return converged();
    }

    private boolean converged() {
        Optional<NodeEndpoint> leader = leader();
        if (leader.isEmpty()) {
            return false;
        }
        Optional<RaftGroupReport> lr = report(leader.get());
        if (lr.isEmpty() || lr.get().commitIndex() != lr.get().lastLogIndex()) {
            return false;
        }
        long commit = lr.get().commitIndex();
        for (NodeEndpoint member : lr.get().committedMembers().members()) {
            Node node = nodes.get(member);
            Optional<RaftGroupReport> r = node.isUp() ? report(member) : Optional.empty();
            if (r.isEmpty() || r.get().appliedIndex() != commit) {
                return false;
            }
        }
        return true;
    }
}
