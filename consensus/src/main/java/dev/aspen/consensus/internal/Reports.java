package dev.aspen.consensus.internal;

import dev.aspen.consensus.GroupMembers;
import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroupReport;
import io.microraft.RaftEndpoint;
import io.microraft.RaftNodeStatus;
import io.microraft.RaftRole;
import io.microraft.report.RaftGroupMembers;
import io.microraft.report.RaftLogStats;
import io.microraft.report.RaftNodeReport;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Converts MicroRaft's reports and member lists to Aspen's types. */
final class Reports {
    private Reports() {}

    static RaftGroupReport report(String groupId, RaftNodeReport r, long appliedIndex) {
        RaftLogStats log = r.getLog();
        Map<NodeEndpoint, Long> matchIndex = new HashMap<>();
        log.getFollowerMatchIndices().forEach((endpoint, index) -> {
            NodeEndpoint node = Errors.endpoint(endpoint);
            if (node != null) {
                matchIndex.put(node, index);
            }
        });
        return new RaftGroupReport(
                groupId,
                (NodeEndpoint) r.getEndpoint(),
                role(r.getRole()),
                status(r.getStatus()),
                r.getTerm().getTerm(),
                Optional.ofNullable(Errors.endpoint(r.getTerm().getLeaderEndpoint())),
                log.getCommitIndex(),
                appliedIndex,
                log.getLastLogOrSnapshotIndex(),
                log.getLastSnapshotIndex(),
                members(r.getCommittedMembers()),
                matchIndex);
    }

    static GroupMembers members(RaftGroupMembers members) {
        return new GroupMembers(members.getLogIndex(), nodes(members.getMembers()), nodes(members.getVotingMembers()));
    }

    private static List<NodeEndpoint> nodes(Collection<RaftEndpoint> endpoints) {
        return endpoints.stream().map(e -> (NodeEndpoint) e).toList();
    }

    private static RaftGroupReport.Role role(RaftRole role) {
        return switch (role) {
            case LEADER -> RaftGroupReport.Role.LEADER;
            case CANDIDATE -> RaftGroupReport.Role.CANDIDATE;
            case FOLLOWER -> RaftGroupReport.Role.FOLLOWER;
            case LEARNER -> RaftGroupReport.Role.LEARNER;
        };
    }

    static RaftGroupReport.Status status(RaftNodeStatus status) {
        return switch (status) {
            case INITIAL -> RaftGroupReport.Status.INITIAL;
            case ACTIVE -> RaftGroupReport.Status.ACTIVE;
            case UPDATING_RAFT_GROUP_MEMBER_LIST -> RaftGroupReport.Status.UPDATING_MEMBERS;
            case TERMINATED -> RaftGroupReport.Status.TERMINATED;
        };
    }
}
