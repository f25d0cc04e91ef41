package dev.aspen.consensus.codec;

import dev.aspen.consensus.NewTermOperation;
import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.tickets.NodeId;
import io.microraft.MembershipChangeMode;
import io.microraft.RaftEndpoint;
import io.microraft.model.RaftModelFactory;
import io.microraft.model.impl.DefaultRaftModelFactory;
import io.microraft.model.log.LogEntry;
import io.microraft.model.log.RaftGroupMembersView;
import io.microraft.model.log.SnapshotChunk;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators for every model type the codec handles, with random contents. */
public final class ModelArbitraries {
    public static final RaftModelFactory FACTORY = new DefaultRaftModelFactory();

    private ModelArbitraries() {}

    private record Header(String groupId, NodeEndpoint sender, int term) {}

    public static Arbitrary<NodeEndpoint> endpoints() {
        return Arbitraries.bytes()
                .array(byte[].class)
                .ofSize(NodeId.LENGTH)
                .map(bytes -> new NodeEndpoint(NodeId.ofBytes(bytes)));
    }

    public static Arbitrary<Collection<RaftEndpoint>> memberSets() {
        return endpoints().set().ofMinSize(0).ofMaxSize(7).map(set -> new ArrayList<RaftEndpoint>(set));
    }

    public static Arbitrary<Integer> terms() {
        return Arbitraries.integers().between(0, Integer.MAX_VALUE);
    }

    public static Arbitrary<Long> indexes() {
        return Arbitraries.longs().between(0, Long.MAX_VALUE);
    }

    public static Arbitrary<byte[]> payloads() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    }

    public static Arbitrary<Object> updateOps() {
        return Combinators.combine(memberSets(), memberSets(), endpoints(), Arbitraries.of(MembershipChangeMode.class))
                .as((members, voting, endpoint, mode) -> FACTORY.createUpdateRaftGroupMembersOpBuilder()
                        .setMembers(members)
                        .setVotingMembers(voting)
                        .setEndpoint(endpoint)
                        .setMode(mode)
                        .build());
    }

    /** Every kind of operation a log entry may carry. */
    public static Arbitrary<Object> operations() {
        return Arbitraries.oneOf(
                payloads().map(b -> (Object) b), Arbitraries.just(NewTermOperation.INSTANCE), updateOps());
    }

    public static Arbitrary<LogEntry> logEntries() {
        return Combinators.combine(indexes(), terms(), operations())
                .as((index, term, op) -> FACTORY.createLogEntryBuilder()
                        .setIndex(index)
                        .setTerm(term)
                        .setOperation(op)
                        .build());
    }

    public static Arbitrary<RaftGroupMembersView> membersViews() {
        return Combinators.combine(indexes(), memberSets(), memberSets())
                .as((index, members, voting) -> FACTORY.createRaftGroupMembersViewBuilder()
                        .setLogIndex(index)
                        .setMembers(members)
                        .setVotingMembers(voting)
                        .build());
    }

    public static Arbitrary<SnapshotChunk> snapshotChunks() {
        return Combinators.combine(
                        indexes(),
                        terms(),
                        Arbitraries.integers().between(0, 99),
                        Arbitraries.integers().between(1, 100),
                        operations(),
                        membersViews().injectNull(0.1))
                .as((index, term, chunkIndex, count, op, view) -> FACTORY.createSnapshotChunkBuilder()
                        .setIndex(index)
                        .setTerm(term)
                        .setSnapshotChunkIndex(chunkIndex)
                        .setSnapshotChunkCount(count)
                        .setOperation(op)
                        .setGroupMembersView(view)
                        .build());
    }

    private static Arbitrary<Object> snapshotEntries() {
        return Combinators.combine(indexes(), terms(), snapshotChunks().list().ofMaxSize(4), membersViews())
                .as((index, term, chunks, view) -> FACTORY.createSnapshotEntryBuilder()
                        .setIndex(index)
                        .setTerm(term)
                        .setSnapshotChunks(chunks)
                        .setGroupMembersView(view)
                        .build());
    }

    private static Arbitrary<Object> persistentStates() {
        Arbitrary<Object> endpointStates = Combinators.combine(endpoints(), Arbitraries.of(true, false))
                .as((endpoint, voting) -> FACTORY.createRaftEndpointPersistentStateBuilder()
                        .setLocalEndpoint(endpoint)
                        .setVoting(voting)
                        .build());
        Arbitrary<Object> termStates = Combinators.combine(terms(), endpoints().injectNull(0.3))
                .as((term, votedFor) -> FACTORY.createRaftTermPersistentStateBuilder()
                        .setTerm(term)
                        .setVotedFor(votedFor)
                        .build());
        return Arbitraries.oneOf(endpointStates, termStates);
    }

    private static Arbitrary<Header> headers() {
        return Combinators.combine(Arbitraries.strings().ofMaxLength(40), endpoints(), terms())
                .as(Header::new);
    }

    private static Arbitrary<Object> appendEntries() {
        Arbitrary<Object> requests = Combinators.combine(
                        headers(),
                        terms(),
                        indexes(),
                        indexes(),
                        logEntries().list().ofMaxSize(5),
                        indexes(),
                        indexes())
                .as((h, prevTerm, prevIndex, commit, entries, qsn, fcsn) -> FACTORY.createAppendEntriesRequestBuilder()
                        .setGroupId(h.groupId())
                        .setSender(h.sender())
                        .setTerm(h.term())
                        .setPreviousLogTerm(prevTerm)
                        .setPreviousLogIndex(prevIndex)
                        .setCommitIndex(commit)
                        .setLogEntries(entries)
                        .setQuerySequenceNumber(qsn)
                        .setFlowControlSequenceNumber(fcsn)
                        .build());
        Arbitrary<Object> successes = Combinators.combine(headers(), indexes(), indexes(), indexes())
                .as((h, last, qsn, fcsn) -> FACTORY.createAppendEntriesSuccessResponseBuilder()
                        .setGroupId(h.groupId())
                        .setSender(h.sender())
                        .setTerm(h.term())
                        .setLastLogIndex(last)
                        .setQuerySequenceNumber(qsn)
                        .setFlowControlSequenceNumber(fcsn)
                        .build());
        Arbitrary<Object> failures = Combinators.combine(headers(), indexes(), indexes(), indexes())
                .as((h, next, qsn, fcsn) -> FACTORY.createAppendEntriesFailureResponseBuilder()
                        .setGroupId(h.groupId())
                        .setSender(h.sender())
                        .setTerm(h.term())
                        .setExpectedNextIndex(next)
                        .setQuerySequenceNumber(qsn)
                        .setFlowControlSequenceNumber(fcsn)
                        .build());
        return Arbitraries.oneOf(requests, successes, failures);
    }

    private static Arbitrary<Object> installSnapshot() {
        Arbitrary<Object> requests = Combinators.combine(
                        headers(),
                        Arbitraries.of(true, false),
                        terms(),
                        indexes(),
                        Arbitraries.integers().between(0, 1000),
                        snapshotChunks().injectNull(0.3),
                        memberSets(),
                        membersViews().injectNull(0.1))
                .as((h, leader, snapTerm, snapIndex, count, chunk, snapshotted, view) ->
                        FACTORY.createInstallSnapshotRequestBuilder()
                                .setGroupId(h.groupId())
                                .setSender(h.sender())
                                .setTerm(h.term())
                                .setSenderLeader(leader)
                                .setSnapshotTerm(snapTerm)
                                .setSnapshotIndex(snapIndex)
                                .setTotalSnapshotChunkCount(count)
                                .setSnapshotChunk(chunk)
                                .setSnapshottedMembers(snapshotted)
                                .setGroupMembersView(view)
                                .setQuerySequenceNumber(snapIndex / 2)
                                .setFlowControlSequenceNumber(snapIndex / 3)
                                .build());
        Arbitrary<Object> responses = Combinators.combine(
                        headers(), indexes(), Arbitraries.integers().between(-1, 1000), indexes(), indexes())
                .as((h, snapIndex, chunkIndex, qsn, fcsn) -> FACTORY.createInstallSnapshotResponseBuilder()
                        .setGroupId(h.groupId())
                        .setSender(h.sender())
                        .setTerm(h.term())
                        .setSnapshotIndex(snapIndex)
                        .setRequestedSnapshotChunkIndex(chunkIndex)
                        .setQuerySequenceNumber(qsn)
                        .setFlowControlSequenceNumber(fcsn)
                        .build());
        return Arbitraries.oneOf(requests, responses);
    }

    private static Arbitrary<Object> elections() {
        Arbitrary<Object> preVotes = Combinators.combine(headers(), terms(), indexes())
                .as((h, lastTerm, lastIndex) -> FACTORY.createPreVoteRequestBuilder()
                        .setGroupId(h.groupId())
                        .setSender(h.sender())
                        .setTerm(h.term())
                        .setLastLogTerm(lastTerm)
                        .setLastLogIndex(lastIndex)
                        .build());
        Arbitrary<Object> preVoteResponses = Combinators.combine(headers(), Arbitraries.of(true, false))
                .as((h, granted) -> FACTORY.createPreVoteResponseBuilder()
                        .setGroupId(h.groupId())
                        .setSender(h.sender())
                        .setTerm(h.term())
                        .setGranted(granted)
                        .build());
        Arbitrary<Object> votes = Combinators.combine(headers(), terms(), indexes(), Arbitraries.of(true, false))
                .as((h, lastTerm, lastIndex, sticky) -> FACTORY.createVoteRequestBuilder()
                        .setGroupId(h.groupId())
                        .setSender(h.sender())
                        .setTerm(h.term())
                        .setLastLogTerm(lastTerm)
                        .setLastLogIndex(lastIndex)
                        .setSticky(sticky)
                        .build());
        Arbitrary<Object> voteResponses = Combinators.combine(headers(), Arbitraries.of(true, false))
                .as((h, granted) -> FACTORY.createVoteResponseBuilder()
                        .setGroupId(h.groupId())
                        .setSender(h.sender())
                        .setTerm(h.term())
                        .setGranted(granted)
                        .build());
        Arbitrary<Object> triggers = Combinators.combine(headers(), terms(), indexes())
                .as((h, lastTerm, lastIndex) -> FACTORY.createTriggerLeaderElectionRequestBuilder()
                        .setGroupId(h.groupId())
                        .setSender(h.sender())
                        .setTerm(h.term())
                        .setLastLogTerm(lastTerm)
                        .setLastLogIndex(lastIndex)
                        .build());
        return Arbitraries.oneOf(preVotes, preVoteResponses, votes, voteResponses, triggers);
    }

    /** Any value the codec accepts, spread over every registered type. */
    public static Arbitrary<Object> models() {
        List<Arbitrary<Object>> kinds = List.of(
                endpoints().map(e -> (Object) e),
                operations(),
                logEntries().map(e -> (Object) e),
                snapshotChunks().map(c -> (Object) c),
                snapshotEntries(),
                membersViews().map(v -> (Object) v),
                persistentStates(),
                appendEntries(),
                installSnapshot(),
                elections());
        return Arbitraries.oneOf(kinds);
    }
}
