package dev.aspen.consensus.internal;

import io.microraft.RaftNodeStatus;
import io.microraft.impl.RaftNodeImpl;
import io.microraft.impl.log.RaftLog;
import io.microraft.impl.state.RaftState;
import io.microraft.model.RaftModelFactory;
import io.microraft.model.groupop.RaftGroupOp;
import io.microraft.model.log.LogEntry;
import io.microraft.model.message.AppendEntriesRequest;
import io.microraft.model.message.InstallSnapshotRequest;
import io.microraft.model.message.RaftMessage;
import java.util.List;

/**
 * Works around two bugs of MicroRaft 0.7 found by the simulator, by repairing inbound messages on
 * the Raft thread before MicroRaft's handler sees them. Remove when upgrading past 0.7 and the
 * simulator sweep stays green without it.
 *
 * <p><b>AppendEntries after a snapshot</b> ({@link #appendEntries}). A liveness bug, fixed
 * upstream in 0.8 (which does not resolve here): a follower whose log starts after a snapshot at index S (always the case after a restart
 * from a snapshot) rejects every AppendEntries whose previous index is S, because it looks for a
 * log entry at S that the snapshot replaced. The leader never goes below its match index, so the
 * follower stays stuck for good.
 *
 * <p>The request is rewritten, on the Raft thread, into the equivalent one anchored on the last of
 * its entries that the local log already holds with the same term: the entries up to S are
 * committed here (they are in the snapshot), so the leader's are the same, and the matched entries
 * after S are identical by the log matching property. The follower then appends exactly what the
 * original request would have appended and answers with the same last index.
 *
 * <p>When the leader's entry S+1 conflicts with the local one (MicroRaft keeps stale entries after
 * an installed snapshot), the local entries after S are uncommitted by definition; they are
 * truncated here, as the fixed handler would, and the request then passes MicroRaft's check
 * unchanged. Requests from a stale term, and requests without entries beyond S, pass unchanged.
 *
 * <p><b>InstallSnapshot</b> ({@link #installSnapshot}). MicroRaft keeps the local entries after
 * an installed snapshot at S even when the local entry at S has another term (the Raft paper
 * discards the whole log then), and it asserts, leaving the node half-updated (without assertions:
 * marks it ACTIVE though a change is pending), when the node holds an uncommitted membership
 * change newer than the snapshot's member list. When the local entry at S matches the snapshot,
 * the leader's request becomes the equivalent "S is committed" AppendEntries (the paper's "retain
 * the log" case) and nothing is installed. Otherwise, before the install, the local entries from
 * S on are truncated when the local entry at S has another term; and an uncommitted membership
 * change at p <= S that is newer than the snapshot's member list is not in the leader's history
 * (had it been committed, the member list would be at least that recent), so p and everything
 * after it are truncated and the change reverted, exactly as an AppendEntries conflict at p
 * would.
 */
final class MicroRaftWorkarounds {
    private MicroRaftWorkarounds() {}

    static RaftMessage installSnapshot(RaftNodeImpl node, InstallSnapshotRequest request) {
        RaftState state = node.state();
        RaftLog log = state.log();
        long snapshotIndex = request.getSnapshotIndex();
        if (request.getTerm() < state.term() || snapshotIndex <= state.commitIndex()) {
            return request;
        }
        if (log.lastLogOrSnapshotIndex() >= snapshotIndex) {
            LogEntry ours = log.getLogEntry(snapshotIndex);
            if (ours != null && ours.getTerm() == request.getSnapshotTerm()) {
                return request.isSenderLeader() ? commitUpTo(node, request) : request;
            }
            truncateStaleTail(node, snapshotIndex);
        }
        long pending = state.effectiveGroupMembers().getLogIndex();
        if (state.effectiveGroupMembers() != state.committedGroupMembers()
                && pending <= snapshotIndex
                && pending > request.getGroupMembersView().getLogIndex()
                && pending > state.commitIndex()
                && log.containsLogEntry(pending)) {
            truncateStaleTail(node, pending);
        }
        return request;
    }

    /**
     * The local log already holds the snapshot's last entry (same index and term), so by the log
     * matching property it holds everything the snapshot covers: Raft then keeps the log and only
     * learns that S is committed. That is an empty AppendEntries anchored at S with commit index S,
     * which answers the leader exactly as an installed snapshot would (an AppendEntries success
     * with last index S).
     */
    private static AppendEntriesRequest commitUpTo(RaftNodeImpl node, InstallSnapshotRequest request) {
        return node.getModelFactory()
                .createAppendEntriesRequestBuilder()
                .setGroupId(request.getGroupId())
                .setSender(request.getSender())
                .setTerm(request.getTerm())
                .setPreviousLogIndex(request.getSnapshotIndex())
                .setPreviousLogTerm(request.getSnapshotTerm())
                .setCommitIndex(request.getSnapshotIndex())
                .setLogEntries(List.of())
                .setQuerySequenceNumber(request.getQuerySequenceNumber())
                .setFlowControlSequenceNumber(request.getFlowControlSequenceNumber())
                .build();
    }

    static AppendEntriesRequest appendEntries(RaftNodeImpl node, AppendEntriesRequest request) {
        RaftLog log = node.state().log();
        long snapshotIndex = log.snapshotIndex();
        long lastIndex = log.lastLogOrSnapshotIndex();
        long prevIndex = request.getPreviousLogIndex();
        if (snapshotIndex == 0
                || prevIndex > snapshotIndex
                || lastIndex == snapshotIndex
                || request.getTerm() < node.state().term()) {
            return request;
        }
        List<LogEntry> entries = request.getLogEntries();
        if (prevIndex == snapshotIndex
                && request.getPreviousLogTerm() != log.snapshotEntry().getTerm()) {
            return request;
        }
        if (prevIndex + entries.size() <= snapshotIndex) {
            return request;
        }
        int next = (int) (snapshotIndex - prevIndex);
        if (next > 0 && entries.get(next - 1).getTerm() != log.snapshotEntry().getTerm()) {
            return request;
        }
        long anchorIndex = snapshotIndex;
        int anchorTerm = 0;
        while (next < entries.size() && entries.get(next).getIndex() <= lastIndex) {
            LogEntry theirs = entries.get(next);
            LogEntry ours = log.getLogEntry(theirs.getIndex());
            if (ours == null || ours.getTerm() != theirs.getTerm()) {
                break;
            }
            anchorIndex = theirs.getIndex();
            anchorTerm = theirs.getTerm();
            next++;
        }
        if (anchorIndex == snapshotIndex) {
            truncateStaleTail(node, snapshotIndex + 1);
            return request;
        }
        return rebuild(node.getModelFactory(), request, anchorIndex, anchorTerm, entries.subList(next, entries.size()));
    }

    private static void truncateStaleTail(RaftNodeImpl node, long fromIndex) {
        RaftLog log = node.state().log();
        List<LogEntry> truncated = log.truncateEntriesFrom(fromIndex);
        node.state().invalidateFuturesFrom(fromIndex, node.newNotLeaderException());
        if (truncated.stream().anyMatch(e -> e.getOperation() instanceof RaftGroupOp)) {
            node.setStatus(RaftNodeStatus.ACTIVE);
            node.revertGroupMembers();
        }
        log.flush();
    }

    private static AppendEntriesRequest rebuild(
            RaftModelFactory factory,
            AppendEntriesRequest request,
            long prevIndex,
            int prevTerm,
            List<LogEntry> entries) {
        return factory.createAppendEntriesRequestBuilder()
                .setGroupId(request.getGroupId())
                .setSender(request.getSender())
                .setTerm(request.getTerm())
                .setPreviousLogIndex(prevIndex)
                .setPreviousLogTerm(prevTerm)
                .setCommitIndex(request.getCommitIndex())
                .setLogEntries(List.copyOf(entries))
                .setQuerySequenceNumber(request.getQuerySequenceNumber())
                .setFlowControlSequenceNumber(request.getFlowControlSequenceNumber())
                .build();
    }
}
