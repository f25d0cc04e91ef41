package dev.aspen.consensus;

import java.util.Map;
import java.util.Optional;

/**
 * A point-in-time view of one member of a Raft group, read on its Raft thread.
 *
 * @param groupId the group id
 * @param localEndpoint this member
 * @param role this member's role
 * @param status this member's lifecycle status
 * @param term the current term
 * @param leader the leader this member knows of, if any
 * @param commitIndex the highest index known to be committed
 * @param appliedIndex the highest index applied to the state machine (or installed by snapshot)
 * @param lastLogIndex the index of the last entry in the log (or the snapshot)
 * @param snapshotIndex the index of the latest snapshot (0 if none)
 * @param committedMembers the committed member list
 * @param followerMatchIndex on the leader, the highest index known replicated on each other
 *     member; empty on other roles
 */
public record RaftGroupReport(
        String groupId,
        NodeEndpoint localEndpoint,
        Role role,
        Status status,
        int term,
        Optional<NodeEndpoint> leader,
        long commitIndex,
        long appliedIndex,
        long lastLogIndex,
        long snapshotIndex,
        GroupMembers committedMembers,
        Map<NodeEndpoint, Long> followerMatchIndex) {
    /** Copies the map. */
    public RaftGroupReport {
        followerMatchIndex = Map.copyOf(followerMatchIndex);
    }

    /** A member's Raft role. */
    public enum Role {
        LEADER,
        CANDIDATE,
        FOLLOWER,
        LEARNER
    }

    /** A member's lifecycle status. */
    public enum Status {
        /** Built, not started yet. */
        INITIAL,
        /** Running. */
        ACTIVE,
        /** Running, with a membership change appended but not yet committed. */
        UPDATING_MEMBERS,
        /** Terminated locally, failed, or removed from the group. */
        TERMINATED
    }
}
