package dev.aspen.kv;

import static dev.aspen.kv.Fixtures.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.kv.internal.ByteWriter;
import dev.aspen.kv.internal.Command;
import dev.aspen.kv.internal.CommandCodec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandCodecTest {
    @TempDir
    Path dir;

    static final Command TXN = new Command.Txn(
            List.of(
                    Compare.value(b("k"), Compare.Op.NOT_EQUAL, b("v")),
                    Compare.number(b("k"), Compare.Target.LEASE, Compare.Op.EQUAL, 3)),
            List.of(
                    new TxnOp.Put(b("k"), b("v"), 3, true),
                    new TxnOp.Get(b("k")),
                    new TxnOp.Delete(KeyRange.between(b("a"), b("b")), true)),
            List.of(new TxnOp.Scan(KeyRange.prefix(b("p")), 10, true)));

    @Test
    void roundTripsEveryCommandByValue() {
        for (Command c : List.of(
                TXN,
                new Command.Put(new TxnOp.Put(b("k"), new byte[0], 0, false)),
                new Command.Delete(new TxnOp.Delete(KeyRange.key(b("k")), true)),
                new Command.PutAll(List.of(new TxnOp.Put(b("a"), b("1"), 0, false))),
                new Command.LeaseGrant(5),
                new Command.LeaseKeepAlive(1),
                new Command.LeaseRevoke(2),
                new Command.LeaseExpire(List.of(1L, 300L)))) {
            byte[] bytes = CommandCodec.encode(c);
            assertThat(CommandCodec.encode(CommandCodec.decode(bytes))).isEqualTo(bytes);
        }
        assertThat(CommandCodec.encode(new Command.LeaseGrant(5))).hasSize(3);
    }

    @Test
    void refusesMalformedBytesWithNamedProblems() {
        byte[] good = CommandCodec.encode(TXN);
        assertInvalid(Arrays.copyOf(good, good.length - 1), "truncated");
        assertInvalid(Arrays.copyOf(good, good.length + 1), "trailing");
        byte[] badVersion = good.clone();
        badVersion[0] = 9;
        assertInvalid(badVersion, "version 9");
        assertInvalid(new byte[] {1, 99}, "unknown command opcode 99");
        assertInvalid(new byte[0], "empty command");
        assertInvalid(
                new ByteWriter(8)
                        .writeByte(1)
                        .writeByte(1)
                        .writeBytes(b("k"))
                        .writeBytes(b("v"))
                        .writeVarLong(0)
                        .writeByte(2)
                        .toByteArray(),
                "boolean");
        byte[] hugeLength = new ByteWriter(16)
                .writeByte(1)
                .writeByte(1)
                .writeVarLong(Integer.MAX_VALUE)
                .toByteArray();
        assertThatThrownBy(() -> CommandCodec.decode(hugeLength))
                .isInstanceOfSatisfying(
                        KvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
        byte[] emptyKey = new ByteWriter(16)
                .writeByte(1)
                .writeByte(1)
                .writeBytes(new byte[0])
                .writeBytes(b("v"))
                .writeVarLong(0)
                .writeBool(false)
                .toByteArray();
        assertInvalid(emptyKey, "key must not be empty");
    }

    @Test
    void applyingGarbageReturnsAnErrorAndStillAdvancesTheIndex() {
        try (KvStateMachine m = KvStateMachine.open(Fixtures.small(dir).build())) {
            Object result = m.apply(1, new byte[] {1, (byte) 0xFF, 0x7F});
            assertThat(result).isInstanceOfSatisfying(KvException.class, e -> assertThat(e.code())
                    .isEqualTo(ErrorCode.INVALID_ARGUMENT));
            assertThat(m.appliedIndex()).isEqualTo(1);
            assertThat(m.query(new byte[] {1, 0x41})).isInstanceOf(KvException.class);
            assertThat(m.revision()).isZero();
        }
    }

    @Test
    void errorCodesHaveStableWireNames() {
        assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::wireName))
                .containsExactly(
                        "not_found",
                        "invalid_argument",
                        "failed_precondition",
                        "compacted",
                        "lease_not_found",
                        "too_large",
                        "unavailable",
                        "not_leader");
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(ErrorCode.fromWireName(code.wireName())).isEqualTo(code);
        }
        assertThatThrownBy(() -> ErrorCode.fromWireName("nope")).hasMessageContaining("nope");
        KvException notLeader = KvException.notLeader("node-b");
        assertThat(notLeader.leaderId()).contains("node-b");
        assertThat(notLeader.getMessage()).isEqualTo("not_leader: leader is node-b");
        assertThat(KvException.compacted(3, 10).oldestRevision()).isEqualTo(10);
        assertThat(KvException.of(ErrorCode.NOT_FOUND, "key k").getMessage()).isEqualTo("not_found: key k");
        assertThatThrownBy(() -> KvException.of(ErrorCode.COMPACTED, "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configValidationNamesTheBadField() {
        assertThatThrownBy(() -> KvConfig.builder(dir).maxKeys(0).build()).hasMessageContaining("maxKeys");
        assertThatThrownBy(() -> KvConfig.builder(dir).largeValueBytes(1).build())
                .hasMessageContaining("largeValueBytes");
        assertThatThrownBy(() -> KvConfig.builder(dir).watchQueueCapacity(0).build())
                .hasMessageContaining("watchQueueCapacity");
        assertThatThrownBy(() -> KvConfig.builder(null).build()).hasMessageContaining("dataDir");
        assertThatThrownBy(() -> ReadConsistency.stale(-1)).hasMessageContaining("minRevision");
    }

    @Test
    void storeCapacityIsEnforcedDeterministically() {
        try (KvStateMachine m =
                KvStateMachine.open(Fixtures.small(dir).maxKeys(3).build())) {
            for (int i = 1; i <= 3; i++) {
                assertThat(m.apply(
                                i, CommandCodec.encode(new Command.Put(new TxnOp.Put(b("k" + i), b("v"), 0, false)))))
                        .isInstanceOf(PutResponse.class);
            }
            Object full = m.apply(4, CommandCodec.encode(new Command.Put(new TxnOp.Put(b("k4"), b("v"), 0, false))));
            assertThat(full).isInstanceOfSatisfying(KvException.class, e -> assertThat(e.code())
                    .isEqualTo(ErrorCode.FAILED_PRECONDITION));
            assertThat(m.apply(
                            5, CommandCodec.encode(new Command.Put(new TxnOp.Put(b("k1"), b("overwrite"), 0, false)))))
                    .isInstanceOf(PutResponse.class);
            Object bigTotal = m.apply(
                    6,
                    CommandCodec.encode(
                            new Command.Put(new TxnOp.Put(b("k2"), new byte[KvLimits.MAX_VALUE_BYTES], 0, false))));
            assertThat(bigTotal).isInstanceOf(PutResponse.class);
        }
    }

    @Test
    void largeValueBudgetIsEnforcedDeterministically() {
        try (KvStateMachine m = KvStateMachine.open(
                Fixtures.small(dir).largeValueBytes(KvLimits.MAX_VALUE_BYTES).build())) {
            Object first = m.apply(
                    1,
                    CommandCodec.encode(
                            new Command.Put(new TxnOp.Put(b("big1"), new byte[KvLimits.MAX_VALUE_BYTES], 0, false))));
            Object second = m.apply(
                    2, CommandCodec.encode(new Command.Put(new TxnOp.Put(b("big2"), new byte[2_000], 0, false))));
            Object smallStillFits = m.apply(
                    3, CommandCodec.encode(new Command.Put(new TxnOp.Put(b("small"), new byte[1_000], 0, false))));
            Object shrink =
                    m.apply(4, CommandCodec.encode(new Command.Put(new TxnOp.Put(b("big1"), new byte[10], 0, false))));
            Object nowFits = m.apply(
                    5, CommandCodec.encode(new Command.Put(new TxnOp.Put(b("big2"), new byte[2_000], 0, false))));

            assertThat(first).isInstanceOf(PutResponse.class);
            assertThat(second).isInstanceOfSatisfying(KvException.class, e -> assertThat(e.code())
                    .isEqualTo(ErrorCode.FAILED_PRECONDITION));
            assertThat(smallStillFits).isInstanceOf(PutResponse.class);
            assertThat(shrink).isInstanceOf(PutResponse.class);
            assertThat(nowFits).isInstanceOf(PutResponse.class);
            assertThat(m.revision()).isEqualTo(4);
        }
    }

    private static void assertInvalid(byte[] bytes, String problem) {
        assertThatThrownBy(() -> CommandCodec.decode(bytes)).isInstanceOfSatisfying(KvException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).contains(problem);
        });
    }
}
