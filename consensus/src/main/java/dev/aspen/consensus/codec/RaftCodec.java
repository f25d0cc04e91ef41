package dev.aspen.consensus.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import com.esotericsoftware.kryo.io.KryoBufferUnderflowException;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import com.esotericsoftware.kryo.util.Pool;
import io.microraft.model.RaftModelFactory;
import io.microraft.model.impl.DefaultRaftModelFactory;
import java.util.Objects;

/**
 * Encodes and decodes the MicroRaft 0.7 model types Aspen sends between nodes and writes to disk:
 * all Raft messages, log entries, snapshot chunks and entries, group member views, membership
 * change operations and the persistent endpoint and term state.
 *
 * <p>Format: one {@link #FORMAT_VERSION} byte, then the value's Kryo registration id (see {@link
 * WireType} and the table in {@code consensus/README.md}) and its fields, written through the
 * MicroRaft model interfaces by explicit serializers. Decoding rebuilds values with {@link
 * DefaultRaftModelFactory} builders. Group ids must be {@link String}s, endpoints {@link
 * dev.aspen.consensus.NodeEndpoint}s, and log or snapshot operations one of {@code byte[]}, {@link
 * dev.aspen.consensus.NewTermOperation} or {@link io.microraft.model.groupop.UpdateRaftGroupMembersOp}.
 *
 * <p>Thread-safe: each call borrows a Kryo instance from a bounded pool. Calls never block on I/O.
 * Every length read from input is checked against a named limit and the bytes that remain before it
 * allocates anything.
 */
public final class RaftCodec {
    /** The format version byte every encoding starts with. */
    public static final byte FORMAT_VERSION = 1;
    /** Largest {@code byte[]} operation (command or snapshot chunk payload). */
    public static final int MAX_PAYLOAD_BYTES = 16 << 20;
    /** Largest group id, in UTF-8 bytes. */
    public static final int MAX_GROUP_ID_BYTES = 256;
    /** Most members (or voting members, or snapshotted members) in one collection. */
    public static final int MAX_MEMBERS = 256;
    /** Most log entries in one {@code AppendEntriesRequest}. */
    public static final int MAX_LOG_ENTRIES = 65_536;
    /** Most chunks in one snapshot. */
    public static final int MAX_SNAPSHOT_CHUNKS = 65_536;
    /** Largest encoding {@link #encode} produces. */
    public static final int MAX_ENCODED_BYTES = 256 << 20;

    private static final int POOL_CAPACITY = 16;
    private static final int INITIAL_BUFFER_BYTES = 1024;
    private static final int RETAINED_BUFFER_BYTES = 1 << 20;
    private static final int MAX_NESTING_DEPTH = 8;
    private static final byte[] NO_BYTES = new byte[0];

    private final RaftModelFactory factory = new DefaultRaftModelFactory();
    private final Pool<Session> sessions = new Pool<>(true, false, POOL_CAPACITY) {
        @Override
        protected Session create() {
            return new Session(newKryo(factory));
        }
    };

    /**
     * Encodes a supported model value.
     *
     * @throws CodecException if the value (or anything inside it) has an unsupported type, exceeds a
     *     limit, or the encoding would exceed {@link #MAX_ENCODED_BYTES}
     */
    public byte[] encode(Object value) {
        Objects.requireNonNull(value, "value");
        if (WireType.of(value.getClass()).isEmpty()) {
            throw new CodecException(
                    "cannot encode " + value.getClass().getName() + ": not a registered Raft model type");
        }
        Session session = sessions.obtain();
        try {
            Output out = session.output;
            out.reset();
            out.writeByte(FORMAT_VERSION);
            session.kryo.writeClassAndObject(out, value);
            return out.toBytes();
        } catch (KryoBufferOverflowException e) {
            throw new CodecException(
                    "encoding of " + value.getClass().getSimpleName() + " exceeds " + MAX_ENCODED_BYTES + " bytes", e);
        } catch (KryoException e) {
            throw new CodecException("cannot encode " + value.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } finally {
            session.release();
            sessions.free(session);
        }
    }

    /**
     * Decodes a value produced by {@link #encode}.
     *
     * @throws CodecException naming the problem: empty input, unknown format version, unregistered
     *     type id, truncated or malformed input, a length above its limit, or trailing bytes
     */
    public Object decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /** Decodes {@code length} bytes of {@code bytes} starting at {@code offset}; see {@link #decode(byte[])}. */
    public Object decode(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length == 0) {
            throw new CodecException("empty input: no format version byte");
        }
        if (bytes[offset] != FORMAT_VERSION) {
            throw new CodecException("unsupported codec format version " + (bytes[offset] & 0xFF)
                    + "; this node reads version " + FORMAT_VERSION);
        }
        Session session = sessions.obtain();
        try {
            Input in = session.input;
            in.setBuffer(bytes, offset + 1, length - 1);
            Registration registration = session.kryo.readClass(in);
            if (registration == null || WireType.of(registration.getType()).isEmpty()) {
                throw new CodecException("type id " + (registration == null ? "null" : registration.getId())
                        + " is not a Raft model type");
            }
            Class<?> type = registration.getType();
            Object value = session.kryo.readObject(in, type);
            if (in.position() != in.limit()) {
                throw new CodecException((in.limit() - in.position()) + " trailing bytes after "
                        + registration.getType().getSimpleName());
            }
            return value;
        } catch (CodecException e) {
            throw e;
        } catch (KryoBufferUnderflowException e) {
            throw new CodecException("truncated input", e);
        } catch (KryoException e) {
            throw new CodecException("malformed input: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new CodecException("malformed input: " + e, e);
        } finally {
            session.release();
            sessions.free(session);
        }
    }

    /**
     * Decodes a value that must be of type {@code expected}.
     *
     * @throws CodecException as {@link #decode(byte[])}, or if the value is of another type
     */
    public <T> T decode(byte[] bytes, Class<T> expected) {
        Object value = decode(bytes);
        if (!expected.isInstance(value)) {
            throw new CodecException("expected " + expected.getSimpleName() + ", decoded "
                    + value.getClass().getSimpleName());
        }
        return expected.cast(value);
    }

    private static Kryo newKryo(RaftModelFactory factory) {
        Kryo kryo = new Kryo(new ModelClassResolver(), new MapReferenceResolver());
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        kryo.setMaxDepth(MAX_NESTING_DEPTH);
        for (WireType wireType : WireType.values()) {
            kryo.register(wireType.type(), serializerFor(wireType, factory), wireType.id());
        }
        return kryo;
    }

    private static Serializer<?> serializerFor(WireType wireType, RaftModelFactory f) {
        return switch (wireType) {
            case NODE_ENDPOINT -> new LogSerializers.EndpointSerializer();
            case BYTES -> new LogSerializers.BytesSerializer();
            case NEW_TERM_OPERATION -> new LogSerializers.NewTermSerializer();
            case UPDATE_RAFT_GROUP_MEMBERS_OP -> new LogSerializers.UpdateMembersOpSerializer(f);
            case LOG_ENTRY -> new LogSerializers.LogEntrySerializer(f);
            case SNAPSHOT_CHUNK -> new LogSerializers.SnapshotChunkSerializer(f);
            case SNAPSHOT_ENTRY -> new LogSerializers.SnapshotEntrySerializer(f);
            case RAFT_GROUP_MEMBERS_VIEW -> new LogSerializers.MembersViewSerializer(f);
            case RAFT_ENDPOINT_PERSISTENT_STATE -> new LogSerializers.EndpointStateSerializer(f);
            case RAFT_TERM_PERSISTENT_STATE -> new LogSerializers.TermStateSerializer(f);
            case APPEND_ENTRIES_REQUEST -> new MessageSerializers.AppendEntriesRequestSerializer(f);
            case APPEND_ENTRIES_SUCCESS_RESPONSE -> new MessageSerializers.AppendEntriesSuccessSerializer(f);
            case APPEND_ENTRIES_FAILURE_RESPONSE -> new MessageSerializers.AppendEntriesFailureSerializer(f);
            case INSTALL_SNAPSHOT_REQUEST -> new MessageSerializers.InstallSnapshotRequestSerializer(f);
            case INSTALL_SNAPSHOT_RESPONSE -> new MessageSerializers.InstallSnapshotResponseSerializer(f);
            case PRE_VOTE_REQUEST -> new MessageSerializers.PreVoteRequestSerializer(f);
            case PRE_VOTE_RESPONSE -> new MessageSerializers.PreVoteResponseSerializer(f);
            case VOTE_REQUEST -> new MessageSerializers.VoteRequestSerializer(f);
            case VOTE_RESPONSE -> new MessageSerializers.VoteResponseSerializer(f);
            case TRIGGER_LEADER_ELECTION_REQUEST -> new MessageSerializers.TriggerLeaderElectionSerializer(f);
        };
    }

    /** One Kryo instance with its reusable buffers; used by one thread at a time. */
    private static final class Session {
        final Kryo kryo;
        final Input input = new Input();
        Output output = new Output(INITIAL_BUFFER_BYTES, MAX_ENCODED_BYTES);

        Session(Kryo kryo) {
            this.kryo = kryo;
        }

        /** Drops references to the caller's bytes and shrinks a buffer a large value grew. */
        void release() {
            input.setBuffer(NO_BYTES);
            if (output.getBuffer().length > RETAINED_BUFFER_BYTES) {
                output = new Output(INITIAL_BUFFER_BYTES, MAX_ENCODED_BYTES);
            }
            kryo.reset();
        }
    }
}
