package dev.aspen.mesh.cluster;

import dev.aspen.tickets.ClusterId;
import dev.aspen.tickets.NodeId;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One node's view of its cluster, as {@code GET /v1/cluster} and {@code aspen cluster status} show
 * it.
 *
 * @param clusterId the cluster (derived from the cookie)
 * @param self the node that answered
 * @param selfRole that node's Raft role: {@code leader}, {@code follower}, {@code candidate},
 *     {@code learner}, or {@code joining} before it is a member
 * @param leader the leader that node knows of
 * @param term the current Raft term
 * @param commitIndex the highest index known committed
 * @param appliedIndex the highest index applied on that node
 * @param membersIndex the log index the member list was committed at
 * @param initialMembers the group's initial voters (a joining node starts its Raft member with them)
 * @param members every member, voters first, then learners, each ordered by NodeId
 * @param autopilot the autopilot's state (active only on the leader)
 */
public record ClusterStatus(
        ClusterId clusterId,
        NodeId self,
        String selfRole,
        Optional<NodeId> leader,
        int term,
        long commitIndex,
        long appliedIndex,
        long membersIndex,
        List<NodeId> initialMembers,
        List<Member> members,
        Autopilot autopilot) {
    public ClusterStatus {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(selfRole, "selfRole");
        Objects.requireNonNull(leader, "leader");
        initialMembers = List.copyOf(initialMembers);
        members = List.copyOf(members);
        Objects.requireNonNull(autopilot, "autopilot");
    }

    /** The voting members. */
    public List<Member> voters() {
        return members.stream().filter(Member::voter).toList();
    }

    /** How a member looks from the answering node. */
    public enum Health {
        /** The answering node itself. */
        SELF,
        /** Discovery sees it alive. */
        ALIVE,
        /** Discovery suspects it (it announced leaving, or stopped answering). */
        SUSPECT,
        /** Discovery has not seen it (never, or it was declared dead); see {@link Member#deadSince()}. */
        DEAD
    }

    /**
     * One member of the Raft group.
     *
     * @param nodeId the member
     * @param voter whether it votes (else it is a learner)
     * @param quicAddress where its QUIC endpoint is, when known
     * @param httpAddress where its HTTP API is, when it advertises one
     * @param health how the answering node sees it
     * @param deadSince since when it has been {@link Health#DEAD}, when known
     * @param matchIndex on the leader: the highest log index known replicated on it
     * @param lag on the leader: commit index minus match index (0 for the leader itself)
     */
    public record Member(
            NodeId nodeId,
            boolean voter,
            Optional<InetSocketAddress> quicAddress,
            Optional<InetSocketAddress> httpAddress,
            Health health,
            Optional<Instant> deadSince,
            Optional<Long> matchIndex,
            Optional<Long> lag) {
        public Member {
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(quicAddress, "quicAddress");
            Objects.requireNonNull(httpAddress, "httpAddress");
            Objects.requireNonNull(health, "health");
            Objects.requireNonNull(deadSince, "deadSince");
            Objects.requireNonNull(matchIndex, "matchIndex");
            Objects.requireNonNull(lag, "lag");
        }
    }

    /**
     * The autopilot: on the leader it promotes caught-up learners while voters are fewer than the
     * target, and replaces voters dead for longer than the grace period.
     *
     * @param active whether it runs on the answering node (it runs only on the leader)
     * @param targetVoters the voter count it aims for
     * @param deadVoterGrace how long a voter must be dead before it is removed
     * @param decisions its most recent decisions, oldest first (bounded)
     */
    public record Autopilot(boolean active, int targetVoters, Duration deadVoterGrace, List<Decision> decisions) {
        public Autopilot {
            Objects.requireNonNull(deadVoterGrace, "deadVoterGrace");
            decisions = List.copyOf(decisions);
        }
    }

    /**
     * One autopilot decision.
     *
     * @param at when it was taken
     * @param action {@code promote} or {@code remove}
     * @param node the member it concerns
     * @param reason why, in words
     * @param outcome {@code ok}, or the error that stopped it
     */
    public record Decision(Instant at, String action, NodeId node, String reason, String outcome) {}
}
