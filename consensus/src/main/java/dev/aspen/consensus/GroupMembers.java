package dev.aspen.consensus;

import java.util.List;

/**
 * A committed member list of a Raft group.
 *
 * @param index the log index the list was committed at (0 for the initial members)
 * @param members all members, voting members and learners
 * @param votingMembers the voting members
 */
public record GroupMembers(long index, List<NodeEndpoint> members, List<NodeEndpoint> votingMembers) {
    /** Copies the lists. */
    public GroupMembers {
        members = List.copyOf(members);
        votingMembers = List.copyOf(votingMembers);
    }

    /** The learners: members that do not vote. */
    public List<NodeEndpoint> learners() {
        return members.stream().filter(m -> !votingMembers.contains(m)).toList();
    }
}
