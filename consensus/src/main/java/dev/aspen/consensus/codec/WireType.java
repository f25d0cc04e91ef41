package dev.aspen.consensus.codec;

import dev.aspen.consensus.NewTermOperation;
import dev.aspen.consensus.NodeEndpoint;
import io.microraft.model.groupop.UpdateRaftGroupMembersOp;
import io.microraft.model.log.LogEntry;
import io.microraft.model.log.RaftGroupMembersView;
import io.microraft.model.log.SnapshotChunk;
import io.microraft.model.log.SnapshotEntry;
import io.microraft.model.message.AppendEntriesFailureResponse;
import io.microraft.model.message.AppendEntriesRequest;
import io.microraft.model.message.AppendEntriesSuccessResponse;
import io.microraft.model.message.InstallSnapshotRequest;
import io.microraft.model.message.InstallSnapshotResponse;
import io.microraft.model.message.PreVoteRequest;
import io.microraft.model.message.PreVoteResponse;
import io.microraft.model.message.TriggerLeaderElectionRequest;
import io.microraft.model.message.VoteRequest;
import io.microraft.model.message.VoteResponse;
import io.microraft.model.persistence.RaftEndpointPersistentState;
import io.microraft.model.persistence.RaftTermPersistentState;
import java.util.Optional;

/**
 * The registration table: every type the codec encodes, with its fixed Kryo registration id. Ids
 * are part of the format: never renumber or reuse one; add new types with new ids (and bump {@link
 * RaftCodec#FORMAT_VERSION} if an existing type's layout changes).
 *
 * <p>Model types are registered by their MicroRaft interface, so any implementation of the interface
 * encodes the same way; decoding always builds {@code DefaultRaftModelFactory} objects.
 */
enum WireType {
    NODE_ENDPOINT(10, NodeEndpoint.class),
    BYTES(11, byte[].class),
    NEW_TERM_OPERATION(12, NewTermOperation.class),
    UPDATE_RAFT_GROUP_MEMBERS_OP(13, UpdateRaftGroupMembersOp.class),
    LOG_ENTRY(20, LogEntry.class),
    SNAPSHOT_CHUNK(21, SnapshotChunk.class),
    SNAPSHOT_ENTRY(22, SnapshotEntry.class),
    RAFT_GROUP_MEMBERS_VIEW(23, RaftGroupMembersView.class),
    RAFT_ENDPOINT_PERSISTENT_STATE(24, RaftEndpointPersistentState.class),
    RAFT_TERM_PERSISTENT_STATE(25, RaftTermPersistentState.class),
    APPEND_ENTRIES_REQUEST(30, AppendEntriesRequest.class),
    APPEND_ENTRIES_SUCCESS_RESPONSE(31, AppendEntriesSuccessResponse.class),
    APPEND_ENTRIES_FAILURE_RESPONSE(32, AppendEntriesFailureResponse.class),
    INSTALL_SNAPSHOT_REQUEST(33, InstallSnapshotRequest.class),
    INSTALL_SNAPSHOT_RESPONSE(34, InstallSnapshotResponse.class),
    PRE_VOTE_REQUEST(35, PreVoteRequest.class),
    PRE_VOTE_RESPONSE(36, PreVoteResponse.class),
    VOTE_REQUEST(37, VoteRequest.class),
    VOTE_RESPONSE(38, VoteResponse.class),
    TRIGGER_LEADER_ELECTION_REQUEST(39, TriggerLeaderElectionRequest.class);

    private final int id;
    private final Class<?> type;

    WireType(int id, Class<?> type) {
        this.id = id;
        this.type = type;
    }

    int id() {
        return id;
    }

    Class<?> type() {
        return type;
    }

    /** The wire type a value of {@code valueClass} encodes as: an exact match or a model interface. */
    static Optional<WireType> of(Class<?> valueClass) {
        for (WireType wireType : values()) {
            if (wireType.type == valueClass) {
                return Optional.of(wireType);
            }
        }
        for (WireType wireType : values()) {
            if (wireType.type.isInterface() && wireType.type.isAssignableFrom(valueClass)) {
                return Optional.of(wireType);
            }
        }
        return Optional.empty();
    }
}
