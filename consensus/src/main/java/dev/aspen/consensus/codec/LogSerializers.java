package dev.aspen.consensus.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.aspen.consensus.NewTermOperation;
import dev.aspen.consensus.NodeEndpoint;
import io.microraft.MembershipChangeMode;
import io.microraft.model.RaftModelFactory;
import io.microraft.model.groupop.UpdateRaftGroupMembersOp;
import io.microraft.model.log.LogEntry;
import io.microraft.model.log.RaftGroupMembersView;
import io.microraft.model.log.SnapshotChunk;
import io.microraft.model.log.SnapshotEntry;
import io.microraft.model.persistence.RaftEndpointPersistentState;
import io.microraft.model.persistence.RaftTermPersistentState;
import java.util.List;

/** Serializers for log entries, snapshot chunks, members, operations and persistent state. */
final class LogSerializers {
    /** What a log entry or snapshot chunk may carry as its operation. */
    static final Class<?>[] OPERATION_TYPES = {byte[].class, NewTermOperation.class, UpdateRaftGroupMembersOp.class};

    private static final MembershipChangeMode[] MODES = MembershipChangeMode.values();

    private LogSerializers() {}

    static final class EndpointSerializer extends Serializer<NodeEndpoint> {
        @Override
        public void write(Kryo kryo, Output out, NodeEndpoint endpoint) {
            Wire.writeEndpoint(out, endpoint, "endpoint");
        }

        @Override
        public NodeEndpoint read(Kryo kryo, Input in, Class<? extends NodeEndpoint> type) {
            return Wire.readEndpoint(in, "endpoint");
        }
    }

    static final class BytesSerializer extends Serializer<byte[]> {
        @Override
        public void write(Kryo kryo, Output out, byte[] bytes) {
            if (bytes.length > RaftCodec.MAX_PAYLOAD_BYTES) {
                throw new CodecException(
                        "payload is " + bytes.length + " bytes, above the limit of " + RaftCodec.MAX_PAYLOAD_BYTES);
            }
            Wire.writeBytes(out, bytes);
        }

        @Override
        public byte[] read(Kryo kryo, Input in, Class<? extends byte[]> type) {
            return Wire.readBytes(in, RaftCodec.MAX_PAYLOAD_BYTES, "payload");
        }
    }

    static final class NewTermSerializer extends Serializer<NewTermOperation> {
        @Override
        public void write(Kryo kryo, Output out, NewTermOperation operation) {
            // The singleton carries no data: its registration id is the whole encoding.
        }

        @Override
        public NewTermOperation read(Kryo kryo, Input in, Class<? extends NewTermOperation> type) {
            return NewTermOperation.INSTANCE;
        }
    }

    static final class UpdateMembersOpSerializer extends Serializer<UpdateRaftGroupMembersOp> {
        private final RaftModelFactory factory;

        UpdateMembersOpSerializer(RaftModelFactory factory) {
            this.factory = factory;
        }

        @Override
        public void write(Kryo kryo, Output out, UpdateRaftGroupMembersOp op) {
            Wire.writeEndpoints(out, op.getMembers(), "members");
            Wire.writeEndpoints(out, op.getVotingMembers(), "voting members");
            Wire.writeEndpoint(out, op.getEndpoint(), "changed endpoint");
            if (op.getMode() == null) {
                throw new CodecException("membership change mode is null");
            }
            out.writeByte(op.getMode().ordinal());
        }

        @Override
        public UpdateRaftGroupMembersOp read(Kryo kryo, Input in, Class<? extends UpdateRaftGroupMembersOp> type) {
            var members = Wire.readEndpoints(in, "members");
            var votingMembers = Wire.readEndpoints(in, "voting members");
            var endpoint = Wire.readEndpoint(in, "changed endpoint");
            int mode = in.readByte();
            if (mode < 0 || mode >= MODES.length) {
                throw new CodecException("unknown membership change mode " + mode);
            }
            return factory.createUpdateRaftGroupMembersOpBuilder()
                    .setMembers(members)
                    .setVotingMembers(votingMembers)
                    .setEndpoint(endpoint)
                    .setMode(MODES[mode])
                    .build();
        }
    }

    static final class MembersViewSerializer extends Serializer<RaftGroupMembersView> {
        private final RaftModelFactory factory;

        MembersViewSerializer(RaftModelFactory factory) {
            this.factory = factory;
        }

        @Override
        public void write(Kryo kryo, Output out, RaftGroupMembersView view) {
            out.writeVarLong(view.getLogIndex(), true);
            Wire.writeEndpoints(out, view.getMembers(), "members");
            Wire.writeEndpoints(out, view.getVotingMembers(), "voting members");
        }

        @Override
        public RaftGroupMembersView read(Kryo kryo, Input in, Class<? extends RaftGroupMembersView> type) {
            long logIndex = in.readVarLong(true);
            var members = Wire.readEndpoints(in, "members");
            var votingMembers = Wire.readEndpoints(in, "voting members");
            return factory.createRaftGroupMembersViewBuilder()
                    .setLogIndex(logIndex)
                    .setMembers(members)
                    .setVotingMembers(votingMembers)
                    .build();
        }
    }

    static final class LogEntrySerializer extends Serializer<LogEntry> {
        private final RaftModelFactory factory;

        LogEntrySerializer(RaftModelFactory factory) {
            this.factory = factory;
        }

        @Override
        public void write(Kryo kryo, Output out, LogEntry entry) {
            out.writeVarLong(entry.getIndex(), true);
            out.writeVarInt(entry.getTerm(), true);
            Wire.writeNested(kryo, out, entry.getOperation(), "log entry operation", OPERATION_TYPES);
        }

        @Override
        public LogEntry read(Kryo kryo, Input in, Class<? extends LogEntry> type) {
            long index = in.readVarLong(true);
            int term = in.readVarInt(true);
            Object operation = Wire.readNested(kryo, in, Object.class, false, "log entry operation", OPERATION_TYPES);
            return factory.createLogEntryBuilder()
                    .setIndex(index)
                    .setTerm(term)
                    .setOperation(operation)
                    .build();
        }
    }

    static final class SnapshotChunkSerializer extends Serializer<SnapshotChunk> {
        private final RaftModelFactory factory;

        SnapshotChunkSerializer(RaftModelFactory factory) {
            this.factory = factory;
        }

        @Override
        public void write(Kryo kryo, Output out, SnapshotChunk chunk) {
            out.writeVarLong(chunk.getIndex(), true);
            out.writeVarInt(chunk.getTerm(), true);
            out.writeVarInt(chunk.getSnapshotChunkIndex(), true);
            out.writeVarInt(chunk.getSnapshotChunkCount(), true);
            Wire.writeNested(kryo, out, chunk.getOperation(), "snapshot chunk operation", OPERATION_TYPES);
            Wire.writeNested(kryo, out, chunk.getGroupMembersView(), "snapshot members", RaftGroupMembersView.class);
        }

        @Override
        public SnapshotChunk read(Kryo kryo, Input in, Class<? extends SnapshotChunk> type) {
            long index = in.readVarLong(true);
            int term = in.readVarInt(true);
            int chunkIndex = Wire.readNonNegativeInt(in, RaftCodec.MAX_SNAPSHOT_CHUNKS - 1, "snapshot chunk index");
            int chunkCount = Wire.readNonNegativeInt(in, RaftCodec.MAX_SNAPSHOT_CHUNKS, "snapshot chunk count");
            Object operation =
                    Wire.readNested(kryo, in, Object.class, false, "snapshot chunk operation", OPERATION_TYPES);
            var members = Wire.readNested(
                    kryo, in, RaftGroupMembersView.class, true, "snapshot members", RaftGroupMembersView.class);
            return factory.createSnapshotChunkBuilder()
                    .setIndex(index)
                    .setTerm(term)
                    .setSnapshotChunkIndex(chunkIndex)
                    .setSnapshotChunkCount(chunkCount)
                    .setOperation(operation)
                    .setGroupMembersView(members)
                    .build();
        }
    }

    static final class SnapshotEntrySerializer extends Serializer<SnapshotEntry> {
        private final RaftModelFactory factory;

        SnapshotEntrySerializer(RaftModelFactory factory) {
            this.factory = factory;
        }

        @Override
        public void write(Kryo kryo, Output out, SnapshotEntry entry) {
            out.writeVarLong(entry.getIndex(), true);
            out.writeVarInt(entry.getTerm(), true);
            Wire.writeList(
                    kryo, out, chunksOf(entry), RaftCodec.MAX_SNAPSHOT_CHUNKS, "snapshot chunks", SnapshotChunk.class);
            Wire.writeNested(kryo, out, entry.getGroupMembersView(), "snapshot members", RaftGroupMembersView.class);
        }

        @Override
        public SnapshotEntry read(Kryo kryo, Input in, Class<? extends SnapshotEntry> type) {
            long index = in.readVarLong(true);
            int term = in.readVarInt(true);
            List<SnapshotChunk> chunks =
                    Wire.readList(kryo, in, RaftCodec.MAX_SNAPSHOT_CHUNKS, "snapshot chunks", SnapshotChunk.class);
            var members = Wire.readNested(
                    kryo, in, RaftGroupMembersView.class, true, "snapshot members", RaftGroupMembersView.class);
            return factory.createSnapshotEntryBuilder()
                    .setIndex(index)
                    .setTerm(term)
                    .setSnapshotChunks(chunks)
                    .setGroupMembersView(members)
                    .build();
        }

        private static List<SnapshotChunk> chunksOf(SnapshotEntry entry) {
            Object operation = entry.getOperation();
            if (!(operation instanceof List<?> list)) {
                throw new CodecException(
                        "snapshot entry operation must be a list of chunks, got " + Wire.typeName(operation));
            }
            List<SnapshotChunk> chunks = new java.util.ArrayList<>(list.size());
            for (Object element : list) {
                if (!(element instanceof SnapshotChunk chunk)) {
                    throw new CodecException("snapshot entry holds a " + Wire.typeName(element) + ", not a chunk");
                }
                chunks.add(chunk);
            }
            return chunks;
        }
    }

    static final class EndpointStateSerializer extends Serializer<RaftEndpointPersistentState> {
        private final RaftModelFactory factory;

        EndpointStateSerializer(RaftModelFactory factory) {
            this.factory = factory;
        }

        @Override
        public void write(Kryo kryo, Output out, RaftEndpointPersistentState state) {
            Wire.writeEndpoint(out, state.getLocalEndpoint(), "local endpoint");
            out.writeBoolean(state.isVoting());
        }

        @Override
        public RaftEndpointPersistentState read(
                Kryo kryo, Input in, Class<? extends RaftEndpointPersistentState> type) {
            var endpoint = Wire.readEndpoint(in, "local endpoint");
            boolean voting = Wire.readBoolean(in, "voting");
            return factory.createRaftEndpointPersistentStateBuilder()
                    .setLocalEndpoint(endpoint)
                    .setVoting(voting)
                    .build();
        }
    }

    static final class TermStateSerializer extends Serializer<RaftTermPersistentState> {
        private final RaftModelFactory factory;

        TermStateSerializer(RaftModelFactory factory) {
            this.factory = factory;
        }

        @Override
        public void write(Kryo kryo, Output out, RaftTermPersistentState state) {
            out.writeVarInt(state.getTerm(), true);
            Wire.writeOptionalEndpoint(out, state.getVotedFor(), "voted for");
        }

        @Override
        public RaftTermPersistentState read(Kryo kryo, Input in, Class<? extends RaftTermPersistentState> type) {
            int term = in.readVarInt(true);
            var votedFor = Wire.readOptionalEndpoint(in, "voted for");
            return factory.createRaftTermPersistentStateBuilder()
                    .setTerm(term)
                    .setVotedFor(votedFor)
                    .build();
        }
    }
}
