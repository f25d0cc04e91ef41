package dev.aspen.mesh.http;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KvException;
import dev.aspen.mesh.cluster.ClusterAdmin;
import dev.aspen.mesh.cluster.ClusterStatus;
import dev.aspen.tickets.ClusterId;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.TicketPeer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link ClusterAdmin} that keeps a member list and refuses what a real one refuses, so
 * the HTTP layer can be tested without a cluster. {@link #gate} holds {@code status()} answers back;
 * {@link #failNext} makes the next call fail.
 */
final class FakeClusterAdmin implements ClusterAdmin {
    static final byte[] JOIN_SECRET = new byte[ClusterTicket.JOIN_SECRET_LENGTH];

    final ClusterId clusterId;
    final NodeId self;
    final InetSocketAddress selfQuic;
    /** Every mutation, in order, as {@code "verb id"}. */
    final List<String> calls = new CopyOnWriteArrayList<>();

    final Map<NodeId, List<InetSocketAddress>> learnerAddresses = new ConcurrentHashMap<>();
    final AtomicInteger statusCalls = new AtomicInteger();
    volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    volatile KvException failNext;
    volatile boolean leaderKnown = true;
    private final Map<NodeId, Boolean> members = new ConcurrentHashMap<>();
    private volatile NodeId leader;

    FakeClusterAdmin(ClusterId clusterId, NodeId self, InetSocketAddress selfQuic) {
        this.clusterId = clusterId;
        this.self = self;
        this.selfQuic = selfQuic;
        this.leader = self;
        members.put(self, true);
    }

    @Override
    public synchronized CompletableFuture<ClusterStatus> status() {
        statusCalls.incrementAndGet();
        return gate.thenApply(ignored -> current());
    }

    synchronized ClusterStatus current() {
        List<ClusterStatus.Member> list = new ArrayList<>();
        members.keySet().stream()
                .sorted(Comparator.comparing((NodeId id) -> !members.get(id)).thenComparing(id -> id))
                .forEach(id -> list.add(new ClusterStatus.Member(
                        id,
                        members.get(id),
                        id.equals(self)
                                ? Optional.of(selfQuic)
                                : learnerAddresses.getOrDefault(id, List.of()).stream()
                                        .findFirst(),
                        Optional.empty(),
                        id.equals(self) ? ClusterStatus.Health.SELF : ClusterStatus.Health.ALIVE,
                        Optional.empty(),
                        Optional.of(7L),
                        Optional.of(0L))));
        return new ClusterStatus(
                clusterId,
                self,
                leader.equals(self) ? "leader" : "follower",
                leaderKnown ? Optional.of(leader) : Optional.empty(),
                3,
                7,
                7,
                1,
                List.of(self),
                list,
                new ClusterStatus.Autopilot(true, 3, Duration.ofSeconds(30), List.of()));
    }

    private CompletableFuture<ClusterStatus> change(String verb, NodeId node, Runnable change) {
        KvException failure = failNext;
        if (failure != null) {
            failNext = null;
            return CompletableFuture.failedFuture(failure);
        }
        try {
            synchronized (this) {
                change.run();
                calls.add(verb + " " + node);
                return CompletableFuture.completedFuture(current());
            }
        } catch (KvException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<ClusterStatus> addLearner(NodeId node, List<InetSocketAddress> quicAddresses) {
        return change("add-learner", node, () -> {
            if (members.containsKey(node)) {
                throw KvException.of(ErrorCode.INVALID_ARGUMENT, node + " is already a member");
            }
            members.put(node, false);
            learnerAddresses.put(node, List.copyOf(quicAddresses));
        });
    }

    @Override
    public CompletableFuture<ClusterStatus> promote(NodeId node) {
        return change("promote", node, () -> {
            if (!Boolean.FALSE.equals(members.get(node))) {
                throw KvException.of(ErrorCode.INVALID_ARGUMENT, node + " is not a learner");
            }
            members.put(node, true);
        });
    }

    @Override
    public CompletableFuture<ClusterStatus> remove(NodeId node) {
        return change("remove", node, () -> {
            if (members.remove(node) == null) {
                throw KvException.of(ErrorCode.INVALID_ARGUMENT, node + " is not a member");
            }
        });
    }

    @Override
    public CompletableFuture<ClusterStatus> transferLeadership(Optional<NodeId> to) {
        NodeId target = to.orElseGet(() -> members.keySet().stream()
                .filter(id -> members.get(id) && !id.equals(leader))
                .findFirst()
                .orElse(leader));
        return change("transfer", target, () -> {
            if (!Boolean.TRUE.equals(members.get(target))) {
                throw KvException.of(ErrorCode.INVALID_ARGUMENT, target + " is not a voter");
            }
            leader = target;
        });
    }

    /** When set, {@link #snapshot()} throws it (an {@link Error} a handler does not expect). */
    volatile Error snapshotError;

    @Override
    public CompletableFuture<Long> snapshot() {
        Error error = snapshotError;
        if (error != null) {
            throw error;
        }
        calls.add("snapshot " + self);
        return CompletableFuture.completedFuture(42L);
    }

    @Override
    public ClusterTicket ticket() {
        return ClusterTicket.of(clusterId, List.of(new TicketPeer(self, List.of(selfQuic))));
    }

    /** {@link #ticket()} with {@link #JOIN_SECRET}. */
    @Override
    public ClusterTicket joinTicket() {
        return new ClusterTicket(clusterId, Optional.of(JOIN_SECRET.clone()), ticket().peers());
    }
}
