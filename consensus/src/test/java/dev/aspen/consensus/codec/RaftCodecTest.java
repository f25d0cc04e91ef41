package dev.aspen.consensus.codec;

import static dev.aspen.consensus.codec.ModelArbitraries.FACTORY;
import static dev.aspen.consensus.codec.ModelAssertions.assertSameModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.esotericsoftware.kryo.io.Output;
import dev.aspen.consensus.NewTermOperation;
import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.tickets.NodeId;
import io.microraft.RaftEndpoint;
import io.microraft.model.log.LogEntry;
import io.microraft.model.message.VoteRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RaftCodecTest {
    private static final NodeEndpoint ALICE = endpoint(1);

    private final RaftCodec codec = new RaftCodec();

    @Test
    void rejectsUnknownFormatVersionNamingBothVersions() {
        byte[] encoded = codec.encode(entry(1, 1, new byte[] {1, 2}));
        encoded[0] = 7;
        assertThatThrownBy(() -> codec.decode(encoded))
                .isExactlyInstanceOf(CodecException.class)
                .hasMessageContaining("version 7")
                .hasMessageContaining("version " + RaftCodec.FORMAT_VERSION);
    }

    @Test
    void rejectsUnregisteredTypeId() {
        assertThatThrownBy(() -> codec.decode(bytes(RaftCodec.FORMAT_VERSION, 99 + 2)))
                .isExactlyInstanceOf(CodecException.class)
                .hasMessageContaining("unregistered class ID: 99");
    }

    @Test
    void rejectsKryoBuiltInTypesAsValues() {
        // Id 1 is Kryo's built-in String registration: registered, but not a Raft model type.
        assertThatThrownBy(() -> codec.decode(bytes(RaftCodec.FORMAT_VERSION, 1 + 2, 0x80 | 'a')))
                .isExactlyInstanceOf(CodecException.class)
                .hasMessageContaining("type id 1 is not a Raft model type");
    }

    @Test
    void neverLoadsClassesByName() {
        // Kryo writes "class by name" as id 1; followed by a name id and a class name.
        assertThatThrownBy(() -> codec.decode(bytes(RaftCodec.FORMAT_VERSION, 1, 0, 'j' | 0x80)))
                .isExactlyInstanceOf(CodecException.class)
                .hasMessageContaining("class names are not accepted");
    }

    @Test
    void rejectsOperationOfAnotherModelType() {
        byte[] encoded = codec.encode(entry(1, 1, new byte[] {5}));
        // version, LOG_ENTRY id, index 1, term 1, then the operation's type id.
        assertThat(encoded[4]).isEqualTo((byte) (WireType.BYTES.id() + 2));
        encoded[4] = (byte) (WireType.VOTE_REQUEST.id() + 2);
        assertThatThrownBy(() -> codec.decode(encoded))
                .isExactlyInstanceOf(CodecException.class)
                .hasMessageContaining("log entry operation has type id " + WireType.VOTE_REQUEST.id());
    }

    @Test
    void rejectsPayloadLengthAboveLimitBeforeAllocating() {
        Output out = new Output(64);
        out.writeByte(RaftCodec.FORMAT_VERSION);
        out.writeVarInt(WireType.BYTES.id() + 2, true);
        out.writeVarInt(RaftCodec.MAX_PAYLOAD_BYTES + 1, true);
        assertThatThrownBy(() -> codec.decode(out.toBytes()))
                .isExactlyInstanceOf(CodecException.class)
                .hasMessageContaining("payload length " + (RaftCodec.MAX_PAYLOAD_BYTES + 1))
                .hasMessageContaining("exceeds the limit");
    }

    @Test
    void rejectsLengthBeyondTheRemainingBytes() {
        Output out = new Output(64);
        out.writeByte(RaftCodec.FORMAT_VERSION);
        out.writeVarInt(WireType.BYTES.id() + 2, true);
        out.writeVarInt(1000, true);
        out.writeBytes(new byte[] {1, 2, 3});
        assertThatThrownBy(() -> codec.decode(out.toBytes()))
                .isExactlyInstanceOf(CodecException.class)
                .hasMessageContaining("truncated input: payload needs 1000 bytes, only 3 remain");
    }

    @Test
    void rejectsMemberCountAboveLimit() {
        Output out = new Output(64);
        out.writeByte(RaftCodec.FORMAT_VERSION);
        out.writeVarInt(WireType.RAFT_GROUP_MEMBERS_VIEW.id() + 2, true);
        out.writeVarLong(0, true);
        out.writeVarInt(RaftCodec.MAX_MEMBERS + 1, true);
        assertThatThrownBy(() -> codec.decode(out.toBytes()))
                .isExactlyInstanceOf(CodecException.class)
                .hasMessageContaining("members length " + (RaftCodec.MAX_MEMBERS + 1));
    }

    @Test
    void rejectsTrailingBytes() {
        byte[] encoded = codec.encode(ALICE);
        byte[] longer = Arrays.copyOf(encoded, encoded.length + 2);
        assertThatThrownBy(() -> codec.decode(longer))
                .isExactlyInstanceOf(CodecException.class)
                .hasMessageContaining("2 trailing bytes");
    }

    @Test
    void rejectsEmptyInput() {
        assertThatThrownBy(() -> codec.decode(new byte[0]))
                .isExactlyInstanceOf(CodecException.class)
                .hasMessageContaining("empty input");
    }

    @Test
    void refusesToEncodeUnsupportedOperationNamingItsType() {
        assertThatThrownBy(() -> codec.encode(entry(1, 1, "not bytes")))
                .isExactlyInstanceOf(CodecException.class)
                .hasMessageContaining("log entry operation has unsupported type java.lang.String");
    }

    @Test
    void refusesToEncodeNonStringGroupId() {
        VoteRequest request = FACTORY.createVoteRequestBuilder()
                .setGroupId(42)
                .setSender(ALICE)
                .setTerm(1)
                .build();
        assertThatThrownBy(() -> codec.encode(request))
                .isExactlyInstanceOf(CodecException.class)
                .hasMessageContaining("group id must be a String, got java.lang.Integer");
    }

    @Test
    void refusesToEncodeForeignEndpointTypes() {
        RaftEndpoint foreign = () -> "x";
        VoteRequest request = FACTORY.createVoteRequestBuilder()
                .setGroupId("g")
                .setSender(foreign)
                .setTerm(1)
                .build();
        assertThatThrownBy(() -> codec.encode(request))
                .isExactlyInstanceOf(CodecException.class)
                .hasMessageContaining("sender must be a NodeEndpoint");
    }

    @Test
    void refusesToEncodeValuesThatAreNotModelTypes() {
        assertThatThrownBy(() -> codec.encode("hello"))
                .isExactlyInstanceOf(CodecException.class)
                .hasMessageContaining("java.lang.String: not a registered Raft model type");
    }

    @Test
    void decodeWithExpectedTypeRejectsOtherTypes() {
        byte[] encoded = codec.encode(ALICE);
        assertThat(codec.decode(encoded, NodeEndpoint.class)).isEqualTo(ALICE);
        assertThatThrownBy(() -> codec.decode(encoded, LogEntry.class))
                .isExactlyInstanceOf(CodecException.class)
                .hasMessageContaining("expected LogEntry, decoded NodeEndpoint");
    }

    @Test
    void newTermOperationIsTheSingleton() {
        LogEntry decoded = codec.decode(codec.encode(entry(3, 2, NewTermOperation.INSTANCE)), LogEntry.class);
        assertThat(decoded.getOperation()).isSameAs(NewTermOperation.INSTANCE);
        assertThat(decoded.getIndex()).isEqualTo(3);
        assertThat(decoded.getTerm()).isEqualTo(2);
    }

    @Test
    void isSafeToShareBetweenThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        LogEntry entry = entry(i + 1, seed, new byte[] {(byte) seed, (byte) i});
                        assertSameModel(entry, codec.decode(codec.encode(entry)));
                    }
                    return seed;
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS)).isBetween(0, 3);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static LogEntry entry(long index, int term, Object operation) {
        return FACTORY.createLogEntryBuilder()
                .setIndex(index)
                .setTerm(term)
                .setOperation(operation)
                .build();
    }

    private static NodeEndpoint endpoint(int seed) {
        byte[] bytes = new byte[NodeId.LENGTH];
        Arrays.fill(bytes, (byte) seed);
        return new NodeEndpoint(NodeId.ofBytes(bytes));
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }
}
