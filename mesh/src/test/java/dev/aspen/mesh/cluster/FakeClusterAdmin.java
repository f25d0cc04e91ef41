package dev.aspen.mesh.cluster;

import dev.aspen.kv.KvException;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.mesh.quic.QuicEndpoint;
import dev.aspen.tickets.ClusterCredentials;
import dev.aspen.tickets.ClusterId;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.TicketPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ClusterAdmin} that records each call and answers from a small model of a three-voter
 * cluster, or fails every call with the error given to {@link #failWith}.
 */
public class FakeClusterAdmin implements ClusterAdmin {
    public static final NodeId LEADER = id(0x11);
    public static final NodeId FOLLOWER = id(0x22);
    public static final NodeId DEAD = id(0x33);
    public static final long SNAPSHOT_INDEX = 4242;
    public static final byte[] JOIN_SECRET = new byte[ClusterTicket.JOIN_SECRET_LENGTH];

    private final ClusterId clusterId;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private volatile KvException failure;
    private volatile ClusterStatus status;

    public FakeClusterAdmin(ClusterId clusterId) {
        this.clusterId = clusterId;
        this.status = initial(clusterId);
    }

    public static NodeId id(int fill) {
        byte[] bytes = new byte[NodeId.LENGTH];
        java.util.Arrays.fill(bytes, (byte) fill);
        return NodeId.ofBytes(bytes);
    }

    private static ClusterStatus initial(ClusterId clusterId) {
        var members = List.of(
                new ClusterStatus.Member(
                        LEADER,
                        true,
                        Optional.of(new InetSocketAddress("127.0.0.1", 7001)),
                        Optional.of(new InetSocketAddress("127.0.0.1", 8001)),
                        ClusterStatus.Health.SELF,
                        Optional.empty(),
                        Optional.of(120L),
                        Optional.of(0L)),
                new ClusterStatus.Member(
                        FOLLOWER,
                        true,
                        Optional.of(new InetSocketAddress("127.0.0.1", 7002)),
                        Optional.empty(),
                        ClusterStatus.Health.ALIVE,
                        Optional.empty(),
                        Optional.of(117L),
                        Optional.of(3L)),
                new ClusterStatus.Member(
                        DEAD,
                        true,
                        Optional.empty(),
                        Optional.empty(),
                        ClusterStatus.Health.DEAD,
                        Optional.of(Instant.parse("2025-01-02T03:04:05.678Z")),
                        Optional.empty(),
                        Optional.empty()));
        var autopilot = new ClusterStatus.Autopilot(
                true,
                3,
                Duration.ofSeconds(30),
                List.of(new ClusterStatus.Decision(
                        Instant.parse("2025-01-02T03:05:00Z"), "remove", DEAD, "dead for 30 s", "ok")));
        return new ClusterStatus(
                clusterId,
                LEADER,
                "leader",
                Optional.of(LEADER),
                7,
                120,
                119,
                5,
                List.of(LEADER, FOLLOWER, DEAD),
                members,
                autopilot);
    }

    /**
     * Serves this admin over QUIC on a free loopback port with nothing but the admin protocol; the
     * caller closes the endpoint.
     */
    public QuicEndpoint serve(ClusterKey key, int maxFrameBytes) throws IOException {
        return QuicEndpoint.start(
                QuicConfig.builder().maxFrameBytes(maxFrameBytes).build(),
                NodeIdentity.generate(),
                key,
                List.of(AdminService.protocol(this, new ClusterCredentials(clusterId, key), maxFrameBytes)));
    }

    /** Every later call fails with {@code error}; null to succeed again. */
    public void failWith(KvException error) {
        this.failure = error;
    }

    /** The calls seen, e.g. {@code "promote <id>"}, in order. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    /** The status the last call left. */
    public ClusterStatus current() {
        return status;
    }

    private CompletableFuture<ClusterStatus> answer(String call, List<ClusterStatus.Member> members, NodeId leader) {
        calls.add(call);
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        ClusterStatus s = status;
        status = new ClusterStatus(
                s.clusterId(),
                s.self(),
                s.selfRole(),
                Optional.of(leader),
                s.term(),
                s.commitIndex(),
                s.appliedIndex(),
                s.membersIndex() + 1,
                s.initialMembers(),
                members,
                s.autopilot());
        return CompletableFuture.completedFuture(status);
    }

    private List<ClusterStatus.Member> without(NodeId node) {
        var members = new ArrayList<>(status.members());
        members.removeIf(m -> m.nodeId().equals(node));
        return members;
    }

    private static ClusterStatus.Member member(NodeId node, boolean voter, Optional<InetSocketAddress> address) {
        return new ClusterStatus.Member(
                node,
                voter,
                address,
                Optional.empty(),
                ClusterStatus.Health.ALIVE,
                Optional.empty(),
                Optional.of(0L),
                Optional.of(120L));
    }

    @Override
    public CompletableFuture<ClusterStatus> status() {
        calls.add("status");
        return failure != null ? CompletableFuture.failedFuture(failure) : CompletableFuture.completedFuture(status);
    }

    @Override
    public CompletableFuture<ClusterStatus> addLearner(NodeId node, List<InetSocketAddress> quicAddresses) {
        var members = without(node);
        members.add(member(node, false, quicAddresses.stream().findFirst()));
        return answer(
                "add_learner " + node + " " + quicAddresses,
                members,
                status.leader().orElseThrow());
    }

    @Override
    public CompletableFuture<ClusterStatus> promote(NodeId node) {
        var old = status.members().stream().filter(m -> m.nodeId().equals(node)).findFirst();
        var members = without(node);
        members.add(member(node, true, old.flatMap(ClusterStatus.Member::quicAddress)));
        return answer("promote " + node, members, status.leader().orElseThrow());
    }

    @Override
    public CompletableFuture<ClusterStatus> remove(NodeId node) {
        return answer("remove " + node, without(node), status.leader().orElseThrow());
    }

    @Override
    public CompletableFuture<ClusterStatus> transferLeadership(Optional<NodeId> to) {
        return answer("transfer " + to.map(NodeId::toString).orElse("any"), status.members(), to.orElse(FOLLOWER));
    }

    @Override
    public CompletableFuture<Long> snapshot() {
        calls.add("snapshot");
        return failure != null
                ? CompletableFuture.failedFuture(failure)
                : CompletableFuture.completedFuture(SNAPSHOT_INDEX);
    }

    @Override
    public ClusterTicket ticket() {
        return ticket("ticket", Optional.empty());
    }

    /** {@link #ticket()} with a fixed join secret ({@link #JOIN_SECRET}). */
    @Override
    public ClusterTicket joinTicket() {
        return ticket("join_ticket", Optional.of(JOIN_SECRET));
    }

    private ClusterTicket ticket(String call, Optional<byte[]> joinSecret) {
        calls.add(call);
        if (failure != null) {
            throw failure;
        }
        return new ClusterTicket(
                clusterId,
                joinSecret,
                List.of(
                        new TicketPeer(LEADER, List.of(new InetSocketAddress("127.0.0.1", 7001))),
                        new TicketPeer(FOLLOWER, List.of(new InetSocketAddress("127.0.0.1", 7002)))));
    }
}
