package dev.aspen.consensus.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.microraft.model.RaftModelFactory;
import io.microraft.model.log.LogEntry;
import io.microraft.model.log.RaftGroupMembersView;
import io.microraft.model.log.SnapshotChunk;
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

/**
 * Serializers for the ten MicroRaft messages. Every message starts with {@link Wire.Header} (group
 * id, sender, term) followed by its own fields in declaration order.
 */
final class MessageSerializers {
    private MessageSerializers() {}

    /** Base for message serializers: holds the factory that rebuilds decoded messages. */
    abstract static class MessageSerializer<T> extends Serializer<T> {
        final RaftModelFactory factory;

        MessageSerializer(RaftModelFactory factory) {
            this.factory = factory;
        }
    }

    static final class AppendEntriesRequestSerializer extends MessageSerializer<AppendEntriesRequest> {
        AppendEntriesRequestSerializer(RaftModelFactory factory) {
            super(factory);
        }

        @Override
        public void write(Kryo kryo, Output out, AppendEntriesRequest m) {
            Wire.writeHeader(out, m);
            out.writeVarInt(m.getPreviousLogTerm(), true);
            out.writeVarLong(m.getPreviousLogIndex(), true);
            out.writeVarLong(m.getCommitIndex(), true);
            Wire.writeList(kryo, out, m.getLogEntries(), RaftCodec.MAX_LOG_ENTRIES, "log entries", LogEntry.class);
            out.writeVarLong(m.getQuerySequenceNumber(), true);
            out.writeVarLong(m.getFlowControlSequenceNumber(), true);
        }

        @Override
        public AppendEntriesRequest read(Kryo kryo, Input in, Class<? extends AppendEntriesRequest> type) {
            Wire.Header h = Wire.readHeader(in);
            return factory.createAppendEntriesRequestBuilder()
                    .setGroupId(h.groupId())
                    .setSender(h.sender())
                    .setTerm(h.term())
                    .setPreviousLogTerm(in.readVarInt(true))
                    .setPreviousLogIndex(in.readVarLong(true))
                    .setCommitIndex(in.readVarLong(true))
                    .setLogEntries(Wire.readList(kryo, in, RaftCodec.MAX_LOG_ENTRIES, "log entries", LogEntry.class))
                    .setQuerySequenceNumber(in.readVarLong(true))
                    .setFlowControlSequenceNumber(in.readVarLong(true))
                    .build();
        }
    }

    static final class AppendEntriesSuccessSerializer extends MessageSerializer<AppendEntriesSuccessResponse> {
        AppendEntriesSuccessSerializer(RaftModelFactory factory) {
            super(factory);
        }

        @Override
        public void write(Kryo kryo, Output out, AppendEntriesSuccessResponse m) {
            Wire.writeHeader(out, m);
            out.writeVarLong(m.getLastLogIndex(), true);
            out.writeVarLong(m.getQuerySequenceNumber(), true);
            out.writeVarLong(m.getFlowControlSequenceNumber(), true);
        }

        @Override
        public AppendEntriesSuccessResponse read(
                Kryo kryo, Input in, Class<? extends AppendEntriesSuccessResponse> type) {
            Wire.Header h = Wire.readHeader(in);
            return factory.createAppendEntriesSuccessResponseBuilder()
                    .setGroupId(h.groupId())
                    .setSender(h.sender())
                    .setTerm(h.term())
                    .setLastLogIndex(in.readVarLong(true))
                    .setQuerySequenceNumber(in.readVarLong(true))
                    .setFlowControlSequenceNumber(in.readVarLong(true))
                    .build();
        }
    }

    static final class AppendEntriesFailureSerializer extends MessageSerializer<AppendEntriesFailureResponse> {
        AppendEntriesFailureSerializer(RaftModelFactory factory) {
            super(factory);
        }

        @Override
        public void write(Kryo kryo, Output out, AppendEntriesFailureResponse m) {
            Wire.writeHeader(out, m);
            out.writeVarLong(m.getExpectedNextIndex(), true);
            out.writeVarLong(m.getQuerySequenceNumber(), true);
            out.writeVarLong(m.getFlowControlSequenceNumber(), true);
        }

        @Override
        public AppendEntriesFailureResponse read(
                Kryo kryo, Input in, Class<? extends AppendEntriesFailureResponse> type) {
            Wire.Header h = Wire.readHeader(in);
            return factory.createAppendEntriesFailureResponseBuilder()
                    .setGroupId(h.groupId())
                    .setSender(h.sender())
                    .setTerm(h.term())
                    .setExpectedNextIndex(in.readVarLong(true))
                    .setQuerySequenceNumber(in.readVarLong(true))
                    .setFlowControlSequenceNumber(in.readVarLong(true))
                    .build();
        }
    }

    static final class InstallSnapshotRequestSerializer extends MessageSerializer<InstallSnapshotRequest> {
        InstallSnapshotRequestSerializer(RaftModelFactory factory) {
            super(factory);
        }

        @Override
        public void write(Kryo kryo, Output out, InstallSnapshotRequest m) {
            Wire.writeHeader(out, m);
            out.writeBoolean(m.isSenderLeader());
            out.writeVarInt(m.getSnapshotTerm(), true);
            out.writeVarLong(m.getSnapshotIndex(), true);
            out.writeVarInt(m.getTotalSnapshotChunkCount(), true);
            Wire.writeNested(kryo, out, m.getSnapshotChunk(), "snapshot chunk", SnapshotChunk.class);
            Wire.writeEndpoints(out, m.getSnapshottedMembers(), "snapshotted members");
            Wire.writeNested(kryo, out, m.getGroupMembersView(), "group members", RaftGroupMembersView.class);
            out.writeVarLong(m.getQuerySequenceNumber(), true);
            out.writeVarLong(m.getFlowControlSequenceNumber(), true);
        }

        @Override
        public InstallSnapshotRequest read(Kryo kryo, Input in, Class<? extends InstallSnapshotRequest> type) {
            Wire.Header h = Wire.readHeader(in);
            return factory.createInstallSnapshotRequestBuilder()
                    .setGroupId(h.groupId())
                    .setSender(h.sender())
                    .setTerm(h.term())
                    .setSenderLeader(Wire.readBoolean(in, "sender leader"))
                    .setSnapshotTerm(in.readVarInt(true))
                    .setSnapshotIndex(in.readVarLong(true))
                    .setTotalSnapshotChunkCount(
                            Wire.readNonNegativeInt(in, RaftCodec.MAX_SNAPSHOT_CHUNKS, "total snapshot chunk count"))
                    .setSnapshotChunk(
                            Wire.readNested(kryo, in, SnapshotChunk.class, true, "snapshot chunk", SnapshotChunk.class))
                    .setSnapshottedMembers(Wire.readEndpoints(in, "snapshotted members"))
                    .setGroupMembersView(Wire.readNested(
                            kryo, in, RaftGroupMembersView.class, true, "group members", RaftGroupMembersView.class))
                    .setQuerySequenceNumber(in.readVarLong(true))
                    .setFlowControlSequenceNumber(in.readVarLong(true))
                    .build();
        }
    }

    static final class InstallSnapshotResponseSerializer extends MessageSerializer<InstallSnapshotResponse> {
        InstallSnapshotResponseSerializer(RaftModelFactory factory) {
            super(factory);
        }

        @Override
        public void write(Kryo kryo, Output out, InstallSnapshotResponse m) {
            Wire.writeHeader(out, m);
            out.writeVarLong(m.getSnapshotIndex(), true);
            out.writeVarInt(m.getRequestedSnapshotChunkIndex(), true);
            out.writeVarLong(m.getQuerySequenceNumber(), true);
            out.writeVarLong(m.getFlowControlSequenceNumber(), true);
        }

        @Override
        public InstallSnapshotResponse read(Kryo kryo, Input in, Class<? extends InstallSnapshotResponse> type) {
            Wire.Header h = Wire.readHeader(in);
            return factory.createInstallSnapshotResponseBuilder()
                    .setGroupId(h.groupId())
                    .setSender(h.sender())
                    .setTerm(h.term())
                    .setSnapshotIndex(in.readVarLong(true))
                    .setRequestedSnapshotChunkIndex(in.readVarInt(true))
                    .setQuerySequenceNumber(in.readVarLong(true))
                    .setFlowControlSequenceNumber(in.readVarLong(true))
                    .build();
        }
    }

    static final class PreVoteRequestSerializer extends MessageSerializer<PreVoteRequest> {
        PreVoteRequestSerializer(RaftModelFactory factory) {
            super(factory);
        }

        @Override
        public void write(Kryo kryo, Output out, PreVoteRequest m) {
            Wire.writeHeader(out, m);
            out.writeVarInt(m.getLastLogTerm(), true);
            out.writeVarLong(m.getLastLogIndex(), true);
        }

        @Override
        public PreVoteRequest read(Kryo kryo, Input in, Class<? extends PreVoteRequest> type) {
            Wire.Header h = Wire.readHeader(in);
            return factory.createPreVoteRequestBuilder()
                    .setGroupId(h.groupId())
                    .setSender(h.sender())
                    .setTerm(h.term())
                    .setLastLogTerm(in.readVarInt(true))
                    .setLastLogIndex(in.readVarLong(true))
                    .build();
        }
    }

    static final class PreVoteResponseSerializer extends MessageSerializer<PreVoteResponse> {
        PreVoteResponseSerializer(RaftModelFactory factory) {
            super(factory);
        }

        @Override
        public void write(Kryo kryo, Output out, PreVoteResponse m) {
            Wire.writeHeader(out, m);
            out.writeBoolean(m.isGranted());
        }

        @Override
        public PreVoteResponse read(Kryo kryo, Input in, Class<? extends PreVoteResponse> type) {
            Wire.Header h = Wire.readHeader(in);
            return factory.createPreVoteResponseBuilder()
                    .setGroupId(h.groupId())
                    .setSender(h.sender())
                    .setTerm(h.term())
                    .setGranted(Wire.readBoolean(in, "granted"))
                    .build();
        }
    }

    static final class VoteRequestSerializer extends MessageSerializer<VoteRequest> {
        VoteRequestSerializer(RaftModelFactory factory) {
            super(factory);
        }

        @Override
        public void write(Kryo kryo, Output out, VoteRequest m) {
            Wire.writeHeader(out, m);
            out.writeVarInt(m.getLastLogTerm(), true);
            out.writeVarLong(m.getLastLogIndex(), true);
            out.writeBoolean(m.isSticky());
        }

        @Override
        public VoteRequest read(Kryo kryo, Input in, Class<? extends VoteRequest> type) {
            Wire.Header h = Wire.readHeader(in);
            return factory.createVoteRequestBuilder()
                    .setGroupId(h.groupId())
                    .setSender(h.sender())
                    .setTerm(h.term())
                    .setLastLogTerm(in.readVarInt(true))
                    .setLastLogIndex(in.readVarLong(true))
                    .setSticky(Wire.readBoolean(in, "sticky"))
                    .build();
        }
    }

    static final class VoteResponseSerializer extends MessageSerializer<VoteResponse> {
        VoteResponseSerializer(RaftModelFactory factory) {
            super(factory);
        }

        @Override
        public void write(Kryo kryo, Output out, VoteResponse m) {
            Wire.writeHeader(out, m);
            out.writeBoolean(m.isGranted());
        }

        @Override
        public VoteResponse read(Kryo kryo, Input in, Class<? extends VoteResponse> type) {
            Wire.Header h = Wire.readHeader(in);
            return factory.createVoteResponseBuilder()
                    .setGroupId(h.groupId())
                    .setSender(h.sender())
                    .setTerm(h.term())
                    .setGranted(Wire.readBoolean(in, "granted"))
                    .build();
        }
    }

    static final class TriggerLeaderElectionSerializer extends MessageSerializer<TriggerLeaderElectionRequest> {
        TriggerLeaderElectionSerializer(RaftModelFactory factory) {
            super(factory);
        }

        @Override
        public void write(Kryo kryo, Output out, TriggerLeaderElectionRequest m) {
            Wire.writeHeader(out, m);
            out.writeVarInt(m.getLastLogTerm(), true);
            out.writeVarLong(m.getLastLogIndex(), true);
        }

        @Override
        public TriggerLeaderElectionRequest read(
                Kryo kryo, Input in, Class<? extends TriggerLeaderElectionRequest> type) {
            Wire.Header h = Wire.readHeader(in);
            return factory.createTriggerLeaderElectionRequestBuilder()
                    .setGroupId(h.groupId())
                    .setSender(h.sender())
                    .setTerm(h.term())
                    .setLastLogTerm(in.readVarInt(true))
                    .setLastLogIndex(in.readVarLong(true))
                    .build();
        }
    }
}
