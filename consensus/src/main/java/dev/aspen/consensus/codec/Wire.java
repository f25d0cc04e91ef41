package dev.aspen.consensus.codec;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.tickets.NodeId;
import io.microraft.RaftEndpoint;
import io.microraft.model.message.RaftMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Bounded primitives shared by the serializers: every length is checked before it allocates. */
final class Wire {
    private Wire() {}

    /** The fields every Raft message starts with. */
    record Header(String groupId, NodeEndpoint sender, int term) {}

    static void writeHeader(Output out, RaftMessage message) {
        writeGroupId(out, message.getGroupId());
        writeEndpoint(out, message.getSender(), "sender");
        out.writeVarInt(message.getTerm(), true);
    }

    static Header readHeader(Input in) {
        return new Header(readGroupId(in), readEndpoint(in, "sender"), in.readVarInt(true));
    }

    static void writeGroupId(Output out, Object groupId) {
        if (!(groupId instanceof String text)) {
            throw new CodecException("group id must be a String, got " + typeName(groupId));
        }
        byte[] utf8 = text.getBytes(UTF_8);
        if (utf8.length > RaftCodec.MAX_GROUP_ID_BYTES) {
            throw new CodecException(
                    "group id is " + utf8.length + " bytes, above the limit of " + RaftCodec.MAX_GROUP_ID_BYTES);
        }
        writeBytes(out, utf8);
    }

    static String readGroupId(Input in) {
        return new String(readBytes(in, RaftCodec.MAX_GROUP_ID_BYTES, "group id"), UTF_8);
    }

    static void writeBytes(Output out, byte[] bytes) {
        out.writeVarInt(bytes.length, true);
        out.writeBytes(bytes);
    }

    static byte[] readBytes(Input in, int limit, String field) {
        return in.readBytes(readLength(in, limit, 1, field));
    }

    /** Reads a count of elements at least {@code minElementBytes} long each, within {@code limit}. */
    static int readLength(Input in, int limit, int minElementBytes, String field) {
        int length = in.readVarInt(true);
        if (length < 0 || length > limit) {
            throw new CodecException(
                    field + " length " + Integer.toUnsignedString(length) + " exceeds the limit of " + limit);
        }
        long needed = (long) length * minElementBytes;
        if (needed > remaining(in)) {
            throw new CodecException(
                    "truncated input: " + field + " needs " + needed + " bytes, only " + remaining(in) + " remain");
        }
        return length;
    }

    static int readNonNegativeInt(Input in, int limit, String field) {
        int value = in.readVarInt(true);
        if (value < 0 || value > limit) {
            throw new CodecException(field + " " + value + " is outside 0.." + limit);
        }
        return value;
    }

    static boolean readBoolean(Input in, String field) {
        byte value = in.readByte();
        if (value == 0 || value == 1) {
            return value == 1;
        }
        throw new CodecException(field + ": invalid boolean byte " + value);
    }

    static void writeEndpoint(Output out, RaftEndpoint endpoint, String field) {
        if (!(endpoint instanceof NodeEndpoint nodeEndpoint)) {
            throw new CodecException(field + " must be a NodeEndpoint, got " + typeName(endpoint));
        }
        out.writeBytes(nodeEndpoint.nodeId().toBytes());
    }

    static NodeEndpoint readEndpoint(Input in, String field) {
        if (remaining(in) < NodeId.LENGTH) {
            throw new CodecException("truncated input: " + field + " needs " + NodeId.LENGTH + " bytes");
        }
        return new NodeEndpoint(NodeId.ofBytes(in.readBytes(NodeId.LENGTH)));
    }

    static void writeOptionalEndpoint(Output out, RaftEndpoint endpoint, String field) {
        out.writeBoolean(endpoint != null);
        if (endpoint != null) {
            writeEndpoint(out, endpoint, field);
        }
    }

    static NodeEndpoint readOptionalEndpoint(Input in, String field) {
        return readBoolean(in, field + " presence") ? readEndpoint(in, field) : null;
    }

    /** Writes a member collection as a set: duplicates are written once, order is kept. */
    static void writeEndpoints(Output out, Collection<RaftEndpoint> endpoints, String field) {
        if (endpoints == null) {
            throw new CodecException(field + " is null");
        }
        Set<RaftEndpoint> distinct = new LinkedHashSet<>(endpoints);
        if (distinct.size() > RaftCodec.MAX_MEMBERS) {
            throw new CodecException(
                    field + " has " + distinct.size() + " endpoints, above the limit of " + RaftCodec.MAX_MEMBERS);
        }
        out.writeVarInt(distinct.size(), true);
        for (RaftEndpoint endpoint : distinct) {
            writeEndpoint(out, endpoint, field + " element");
        }
    }

    /** Reads a member collection written by {@link #writeEndpoints} into an unmodifiable ordered set. */
    static Collection<RaftEndpoint> readEndpoints(Input in, String field) {
        int count = readLength(in, RaftCodec.MAX_MEMBERS, NodeId.LENGTH, field);
        Set<RaftEndpoint> endpoints = new LinkedHashSet<>(count * 2);
        for (int i = 0; i < count; i++) {
            if (!endpoints.add(readEndpoint(in, field + " element"))) {
                throw new CodecException(field + " lists the same endpoint twice");
            }
        }
        return Collections.unmodifiableSet(endpoints);
    }

    /** Writes a nested value with its registration id; {@code null} is written as Kryo's null id. */
    static void writeNested(Kryo kryo, Output out, Object value, String field, Class<?>... allowed) {
        if (value != null && !isAllowed(value.getClass(), allowed)) {
            throw new CodecException(
                    field + " has unsupported type " + typeName(value) + "; expected " + describe(allowed));
        }
        kryo.writeClassAndObject(out, value);
    }

    /** Reads a value written by {@link #writeNested}, accepting only the {@code allowed} types. */
    static <T> T readNested(Kryo kryo, Input in, Class<T> as, boolean nullable, String field, Class<?>... allowed) {
        Registration registration = kryo.readClass(in);
        if (registration == null) {
            if (nullable) {
                return null;
            }
            throw new CodecException(field + " is missing (null)");
        }
        if (!isAllowed(registration.getType(), allowed)) {
            throw new CodecException(field + " has type id " + registration.getId() + " ("
                    + registration.getType().getSimpleName() + "); expected " + describe(allowed));
        }
        Class<?> type = registration.getType();
        return as.cast(kryo.readObject(in, type));
    }

    static <T> void writeList(Kryo kryo, Output out, List<T> values, int limit, String field, Class<T> type) {
        if (values == null) {
            throw new CodecException(field + " is null");
        }
        if (values.size() > limit) {
            throw new CodecException(field + " has " + values.size() + " elements, above the limit of " + limit);
        }
        out.writeVarInt(values.size(), true);
        for (T value : values) {
            if (value == null) {
                throw new CodecException(field + " contains null");
            }
            writeNested(kryo, out, value, field + " element", type);
        }
    }

    static <T> List<T> readList(Kryo kryo, Input in, int limit, String field, Class<T> type) {
        int count = readLength(in, limit, 1, field);
        List<T> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(readNested(kryo, in, type, false, field + " element", type));
        }
        return values;
    }

    static String typeName(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }

    private static boolean isAllowed(Class<?> type, Class<?>[] allowed) {
        for (Class<?> candidate : allowed) {
            if (candidate.isAssignableFrom(type)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Class<?>[] allowed) {
        List<String> names = new ArrayList<>();
        for (Class<?> type : allowed) {
            names.add(type.getSimpleName());
        }
        return String.join(" or ", names);
    }

    private static int remaining(Input in) {
        return in.limit() - in.position();
    }
}
