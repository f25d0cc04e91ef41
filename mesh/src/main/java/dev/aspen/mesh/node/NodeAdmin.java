package dev.aspen.mesh.node;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.NotLeaderException;
import dev.aspen.consensus.RaftGroup;
import dev.aspen.consensus.RaftGroupException;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KvException;
import dev.aspen.mesh.cluster.ClusterAdmin;
import dev.aspen.mesh.cluster.ClusterStatus;
import dev.aspen.tickets.ClusterCredentials;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.TicketPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The node's {@link ClusterAdmin}: reads come from the local Raft report, discovery and the
 * autopilot; membership changes and leadership transfers run on the leader — on this node when it
 * leads, else they are sent to the leader's admin protocol through {@link LeaderLink}.
 */
final class NodeAdmin implements ClusterAdmin {
    /** Reaches the leader's admin protocol. */
    @FunctionalInterface
    interface LeaderLink {
        /** A client for {@code leader}'s admin protocol (cached by the implementation). */
        ClusterAdmin to(NodeId leader) throws IOException;
    }

    private static final int MAX_TICKET_PEERS = 16;

    private final ClusterCredentials credentials;
    private final NodeId self;
    private final RaftGroup group;
    private final PeerBook peers;
    private final Function<NodeId, ClusterStatus.Health> health;
    private final Autopilot autopilot;
    private final LeaderLink leaderLink;
    private final Supplier<List<InetSocketAddress>> selfAddresses;
    private final Function<NodeId, Optional<InetSocketAddress>> httpAddress;

    NodeAdmin(
            ClusterCredentials credentials,
            NodeId self,
            RaftGroup group,
            PeerBook peers,
            Function<NodeId, ClusterStatus.Health> health,
            Autopilot autopilot,
            LeaderLink leaderLink,
            Supplier<List<InetSocketAddress>> selfAddresses,
            Function<NodeId, Optional<InetSocketAddress>> httpAddress) {
        this.credentials = credentials;
        this.self = self;
        this.group = group;
        this.peers = peers;
        this.health = health;
        this.autopilot = autopilot;
        this.leaderLink = leaderLink;
        this.selfAddresses = selfAddresses;
        this.httpAddress = httpAddress;
    }

    @Override
    public CompletableFuture<ClusterStatus> status() {
        return group.report().thenApply(this::status);
    }

    ClusterStatus status(RaftGroupReport report) {
        boolean leader = report.role() == RaftGroupReport.Role.LEADER;
        boolean member = report.committedMembers().members().contains(new NodeEndpoint(self));
        List<ClusterStatus.Member> members = new ArrayList<>();
        List<NodeEndpoint> ordered = new ArrayList<>(report.committedMembers().votingMembers());
        ordered.sort(Comparator.comparing(NodeEndpoint::nodeId));
        List<NodeEndpoint> learners = new ArrayList<>(report.committedMembers().learners());
        learners.sort(Comparator.comparing(NodeEndpoint::nodeId));
        ordered.addAll(learners);
        for (NodeEndpoint endpoint : ordered) {
            NodeId node = endpoint.nodeId();
            boolean isSelf = node.equals(self);
            Optional<Long> match = Optional.empty();
            if (leader) {
                match = isSelf
                        ? Optional.of(report.lastLogIndex())
                        : Optional.ofNullable(report.followerMatchIndex().get(endpoint));
            }
            List<InetSocketAddress> quic = isSelf ? selfAddresses.get() : peers.quicAddresses(node);
            members.add(new ClusterStatus.Member(
                    node,
                    report.committedMembers().votingMembers().contains(endpoint),
                    quic.stream().findFirst(),
                    httpAddress.apply(node),
                    isSelf ? ClusterStatus.Health.SELF : health.apply(node),
                    isSelf ? Optional.empty() : autopilot.deadSince(node),
                    match,
                    match.map(m -> Math.max(0, report.commitIndex() - m))));
        }
        return new ClusterStatus(
                credentials.clusterId(),
                self,
                member ? report.role().name().toLowerCase(Locale.ROOT) : "joining",
                report.leader().map(NodeEndpoint::nodeId),
                report.term(),
                report.commitIndex(),
                report.appliedIndex(),
                report.committedMembers().index(),
                group.initialMembers().stream().map(NodeEndpoint::nodeId).toList(),
                members,
                autopilot.status());
    }

    @Override
    public CompletableFuture<ClusterStatus> addLearner(NodeId node, List<InetSocketAddress> quicAddresses) {
        peers.remember(node, quicAddresses);
        return onLeader(admin -> admin.addLearner(node, quicAddresses), report -> {
            if (report.committedMembers().members().contains(new NodeEndpoint(node))) {
                throw KvException.of(ErrorCode.INVALID_ARGUMENT, "node " + node + " is already a member");
            }
            if (peers.quicAddresses(node).isEmpty()) {
                throw KvException.of(
                        ErrorCode.INVALID_ARGUMENT,
                        "no QUIC address known for node " + node
                                + ": give its address, or let it join through discovery");
            }
            return group.addLearner(new NodeEndpoint(node));
        });
    }

    @Override
    public CompletableFuture<ClusterStatus> promote(NodeId node) {
        return onLeader(admin -> admin.promote(node), report -> {
            NodeEndpoint endpoint = new NodeEndpoint(node);
            if (!report.committedMembers().learners().contains(endpoint)) {
                throw KvException.of(
                        ErrorCode.INVALID_ARGUMENT,
                        "node " + node + " is not a learner"
                                + (report.committedMembers().votingMembers().contains(endpoint)
                                        ? " (it already votes)"
                                        : " of this cluster"));
            }
            long lag = Autopilot.lag(report, node);
            if (lag > Autopilot.CAUGHT_UP_LAG) {
                throw KvException.of(
                        ErrorCode.FAILED_PRECONDITION,
                        "learner " + node + " has not caught up ("
                                + (lag == Long.MAX_VALUE ? "nothing replicated yet" : lag + " entries behind")
                                + "); promote it once it has");
            }
            return group.promote(endpoint);
        });
    }

    @Override
    public CompletableFuture<ClusterStatus> remove(NodeId node) {
        return onLeader(admin -> admin.remove(node), report -> {
            NodeEndpoint endpoint = new NodeEndpoint(node);
            List<NodeEndpoint> voters = report.committedMembers().votingMembers();
            if (!report.committedMembers().members().contains(endpoint)) {
                throw KvException.of(ErrorCode.INVALID_ARGUMENT, "node " + node + " is not a member of this cluster");
            }
            if (node.equals(self)) {
                throw KvException.of(
                        ErrorCode.FAILED_PRECONDITION,
                        "node " + node + " is the leader: transfer leadership first, then remove it");
            }
            if (voters.contains(endpoint) && voters.size() - 1 < voters.size() / 2 + 1) {
                throw KvException.of(
                        ErrorCode.FAILED_PRECONDITION,
                        "removing voter " + node + " would leave " + (voters.size() - 1) + " of " + voters.size()
                                + " voters, fewer than a majority");
            }
            return group.remove(endpoint);
        });
    }

    @Override
    public CompletableFuture<ClusterStatus> transferLeadership(Optional<NodeId> to) {
        return onLeader(admin -> admin.transferLeadership(to), report -> {
            List<NodeEndpoint> voters = report.committedMembers().votingMembers();
            NodeId target = to.orElseGet(() -> voters.stream()
                    .map(NodeEndpoint::nodeId)
                    .filter(node -> !node.equals(self) && health.apply(node) == ClusterStatus.Health.ALIVE)
                    .min(Comparator.comparingLong((NodeId node) -> Autopilot.lag(report, node))
                            .thenComparing(Comparator.naturalOrder()))
                    .orElseThrow(() -> KvException.of(
                            ErrorCode.FAILED_PRECONDITION, "no other live voter to hand leadership to")));
            if (target.equals(self)) {
                return CompletableFuture.completedFuture(null);
            }
            if (!voters.contains(new NodeEndpoint(target))) {
                throw KvException.of(ErrorCode.INVALID_ARGUMENT, "node " + target + " is not a voter of this cluster");
            }
            return group.transferLeadership(new NodeEndpoint(target));
        });
    }

    @Override
    public CompletableFuture<Long> snapshot() {
        return group.takeSnapshot().exceptionally(failure -> {
            throw translate(failure);
        });
    }

    @Override
    public ClusterTicket ticket() {
        List<TicketPeer> ticketPeers = new ArrayList<>();
        ticketPeers.add(new TicketPeer(self, selfAddresses.get()));
        RaftGroupReport report = group.report().join();
        for (NodeEndpoint voter : report.committedMembers().votingMembers()) {
            if (ticketPeers.size() == MAX_TICKET_PEERS) {
                break;
            }
            List<InetSocketAddress> addresses = peers.ticketAddresses(voter.nodeId());
            if (!voter.nodeId().equals(self) && !addresses.isEmpty()) {
                ticketPeers.add(new TicketPeer(voter.nodeId(), addresses));
            }
        }
        return ClusterTicket.of(credentials.clusterId(), ticketPeers);
    }

    @Override
    public ClusterTicket joinTicket() {
        return credentials.joinTicket(ticket());
    }

    /**
     * Runs {@code local} here when this node leads (with its fresh report), else {@code remote} on
     * the leader; then answers with the status.
     */
    private CompletableFuture<ClusterStatus> onLeader(
            Function<ClusterAdmin, CompletableFuture<ClusterStatus>> remote,
            Function<RaftGroupReport, CompletableFuture<?>> local) {
        return group.report()
                .thenCompose(report -> {
                    if (report.role() == RaftGroupReport.Role.LEADER) {
                        return local.apply(report).thenCompose(done -> status());
                    }
                    NodeId leader = report.leader()
                            .map(NodeEndpoint::nodeId)
                            .orElseThrow(() -> KvException.of(
                                    ErrorCode.UNAVAILABLE, "no leader is known; the cluster may have lost its quorum"));
                    try {
                        return remote.apply(leaderLink.to(leader));
                    } catch (IOException e) {
                        throw KvException.notLeader(leader.toString());
                    }
                })
                .exceptionally(failure -> {
                    throw translate(failure);
                });
    }

    static KvException translate(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof KvException kv) {
            return kv;
        }
        if (cause instanceof NotLeaderException notLeader) {
            return KvException.notLeader(notLeader
                    .leader()
                    .map(NodeEndpoint::nodeId)
                    .map(Object::toString)
                    .orElse(null));
        }
        if (cause instanceof RaftGroupException raft) {
            return switch (raft.code()) {
                case INVALID_ARGUMENT -> KvException.of(ErrorCode.INVALID_ARGUMENT, raft.getMessage());
                case MEMBERSHIP_CHANGE_PENDING ->
                    KvException.of(
                            ErrorCode.FAILED_PRECONDITION,
                            "another membership change is in progress; retry when it completes (" + raft.getMessage()
                                    + ")");
                default -> KvException.of(ErrorCode.UNAVAILABLE, raft.code().wireName() + ": " + raft.getMessage());
            };
        }
        return KvException.of(ErrorCode.UNAVAILABLE, "cluster operation failed: " + cause);
    }
}
