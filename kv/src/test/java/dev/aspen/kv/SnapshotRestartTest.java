package dev.aspen.kv;

import static dev.aspen.kv.Fixtures.b;
import static dev.aspen.kv.Fixtures.encode;
import static dev.aspen.kv.Fixtures.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.kv.internal.Command;
import dev.aspen.kv.internal.CommandCodec;
import dev.aspen.kv.internal.Query;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotRestartTest {
    @TempDir
    Path dir;

    /** A log touching every command type, with large values and leases. */
    static List<byte[]> sampleLog(int n, long seed) {
        Random random = new Random(seed);
        List<byte[]> log = new ArrayList<>();
        log.add(encode(new Command.LeaseGrant(60)));
        log.add(encode(new Command.LeaseGrant(5)));
        for (int i = 0; i < n; i++) {
            byte[] key = b("key/" + random.nextInt(200));
            switch (random.nextInt(6)) {
                case 0 ->
                    log.add(encode(new Command.Put(new TxnOp.Put(key, b("v" + i), 1 + random.nextInt(2), false))));
                case 1 ->
                    log.add(encode(new Command.Delete(
                            new TxnOp.Delete(KeyRange.prefix(b("key/1" + random.nextInt(10))), true))));
                case 2 ->
                    log.add(encode(
                            new Command.Put(new TxnOp.Put(key, new byte[1024 + random.nextInt(200_000)], 0, false))));
                case 3 ->
                    log.add(encode(new Command.Txn(
                            List.of(Compare.number(key, Compare.Target.VERSION, Compare.Op.GREATER, 1)),
                            List.of(new TxnOp.Put(key, b("t" + i), 0, true)),
                            List.of(new TxnOp.Delete(KeyRange.key(key), false)))));
                case 4 ->
                    log.add(encode(new Command.PutAll(List.of(
                            new TxnOp.Put(key, b("a"), 0, false), new TxnOp.Put(b("z" + i), b("b"), 2, false)))));
                default -> log.add(encode(new Command.Put(new TxnOp.Put(key, b("plain" + i), 0, false))));
            }
        }
        log.add(encode(new Command.LeaseExpire(List.of(2L, 99L))));
        log.add(encode(new Command.LeaseGrant(7)));
        return log;
    }

    static void applyAll(KvStateMachine m, List<byte[]> log, long fromIndex) {
        for (int i = 0; i < log.size(); i++) {
            m.apply(fromIndex + i, log.get(i));
        }
    }

    static byte[] snapshot(KvStateMachine m, int maxChunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.takeSnapshot(m.appliedIndex(), maxChunk, chunk -> {
            assertThat(chunk.length).isBetween(1, maxChunk);
            out.writeBytes(chunk);
        });
        return out.toByteArray();
    }

    static List<byte[]> chunks(KvStateMachine m, int maxChunk) {
        List<byte[]> chunks = new ArrayList<>();
        m.takeSnapshot(m.appliedIndex(), maxChunk, chunks::add);
        return chunks;
    }

    static Object get(KvStateMachine m, String key) {
        return m.query(CommandCodec.encode(new Query.Get(b(key), 0)));
    }

    @Test
    void twoMachinesFedTheSameLogWriteByteIdenticalSnapshots() {
        List<byte[]> log = sampleLog(400, 1);
        try (KvStateMachine a =
                        KvStateMachine.open(Fixtures.small(dir.resolve("a")).build());
                KvStateMachine c =
                        KvStateMachine.open(Fixtures.small(dir.resolve("c")).build())) {
            applyAll(a, log, 1);
            applyAll(c, log, 1);
            byte[] snapA = snapshot(a, 4096);
            assertThat(snapshot(c, 4096)).isEqualTo(snapA);
            assertThat(snapshot(a, 100_000)).isEqualTo(snapA);
            assertThat(a.revision()).isEqualTo(c.revision()).isPositive();
        }
    }

    @Test
    void installedSnapshotBehavesLikeTheOriginal() {
        List<byte[]> log = sampleLog(300, 2);
        List<byte[]> more = sampleLog(100, 3).subList(2, 90);
        try (KvStateMachine a =
                        KvStateMachine.open(Fixtures.small(dir.resolve("a")).build());
                KvStateMachine c =
                        KvStateMachine.open(Fixtures.small(dir.resolve("c")).build())) {
            applyAll(a, log, 1);
            c.apply(1, encode(new Command.Put(new TxnOp.Put(b("stale"), b("gone"), 0, false))));
            c.installSnapshot(a.appliedIndex(), chunks(a, 777));

            assertThat(c.appliedIndex()).isEqualTo(a.appliedIndex());
            assertThat(c.revision()).isEqualTo(a.revision());
            assertThat(c.leaseTtls()).isEqualTo(a.leaseTtls());
            assertThat(get(c, "stale")).isEqualTo(get(a, "stale"));
            long next = a.appliedIndex() + 1;
            for (int i = 0; i < more.size(); i++) {
                assertThat(render(c.apply(next + i, more.get(i)))).isEqualTo(render(a.apply(next + i, more.get(i))));
            }
            assertThat(snapshot(c, 4096)).isEqualTo(snapshot(a, 4096));
        }
    }

    @Test
    void oneMachineInstallsSnapshotAfterSnapshot() {
        List<byte[]> log = sampleLog(300, 7);
        try (KvStateMachine source = KvStateMachine.open(
                        Fixtures.small(dir.resolve("source")).build());
                KvStateMachine target = KvStateMachine.open(
                        Fixtures.small(dir.resolve("target")).build())) {
            applyAll(source, log.subList(0, 150), 1);
            List<byte[]> first = chunks(source, 1024);
            long firstIndex = source.appliedIndex();
            applyAll(source, log.subList(150, 300), 151);
            List<byte[]> second = chunks(source, 1024);

            target.installSnapshot(firstIndex, first);
            target.installSnapshot(source.appliedIndex(), second);
            assertThat(snapshot(target, 4096)).isEqualTo(snapshot(source, 4096));
        }
    }

    @Test
    void snapshotAtAnIndexPastTheLastCommandCountsThatIndexAsApplied() {
        try (KvStateMachine a =
                        KvStateMachine.open(Fixtures.small(dir.resolve("a")).build());
                KvStateMachine c =
                        KvStateMachine.open(Fixtures.small(dir.resolve("c")).build())) {
            applyAll(a, sampleLog(20, 8), 1);
            // The next index was the group's own entry (a new term): the state did not change.
            long next = a.appliedIndex() + 1;
            List<byte[]> chunks = new ArrayList<>();
            a.takeSnapshot(next, 4096, chunks::add);
            assertThat(a.appliedIndex()).isEqualTo(next);
            c.installSnapshot(next, chunks);
            assertThat(snapshot(c, 4096)).isEqualTo(snapshot(a, 4096));
            assertThatThrownBy(() -> a.takeSnapshot(5, 4096, x -> {})).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void corruptSnapshotIsRefusedAndLeavesStateUntouched() {
        try (KvStateMachine a =
                        KvStateMachine.open(Fixtures.small(dir.resolve("a")).build());
                KvStateMachine c =
                        KvStateMachine.open(Fixtures.small(dir.resolve("c")).build())) {
            applyAll(a, sampleLog(50, 4), 1);
            c.apply(1, encode(new Command.Put(new TxnOp.Put(b("mine"), b("1"), 0, false))));
            List<byte[]> chunks = chunks(a, 512);
            chunks.get(1)[3] ^= 0x55;

            assertThatThrownBy(() -> c.installSnapshot(a.appliedIndex(), chunks))
                    .isInstanceOfSatisfying(
                            KvException.class, e -> assertThat(e.getMessage()).contains("CRC"));
            assertThat(c.appliedIndex()).isEqualTo(1);
            assertThat(((GetResponse) get(c, "mine")).kv()).isPresent();
            c.installSnapshot(1, chunks(a, 512));
            assertThat(c.appliedIndex()).isEqualTo(1);
        }
    }

    @Test
    void cleanRestartReusesTheMapsAndKeepsAppliedIndex() {
        List<byte[]> log = sampleLog(200, 5);
        byte[] before;
        try (KvStateMachine a = KvStateMachine.open(Fixtures.small(dir).build())) {
            applyAll(a, log, 1);
            before = snapshot(a, 8192);
        }
        try (KvStateMachine a = KvStateMachine.open(Fixtures.small(dir).build())) {
            assertThat(a.reusedOnOpen()).isTrue();
            assertThat(a.appliedIndex()).isEqualTo(log.size());
            assertThat(snapshot(a, 8192)).isEqualTo(before);
            assertThat(a.apply(3, log.get(0))).isNull();
            assertThat(a.appliedIndex()).isEqualTo(log.size());
        }
    }

    @Test
    void crashWithoutMarkerStartsEmptyAndReplayRebuildsTheSameState() throws Exception {
        List<byte[]> log = sampleLog(200, 6);
        byte[] before;
        try (KvStateMachine a = KvStateMachine.open(Fixtures.small(dir).build())) {
            applyAll(a, log, 1);
            before = snapshot(a, 8192);
        }
        Files.delete(dir.resolve("clean-shutdown"));
        try (KvStateMachine a = KvStateMachine.open(Fixtures.small(dir).build())) {
            assertThat(a.reusedOnOpen()).isFalse();
            assertThat(a.appliedIndex()).isZero();
            assertThat(a.revision()).isZero();
            assertThat(((GetResponse) get(a, "key/1")).kv()).isEmpty();
            applyAll(a, log, 1);
            assertThat(snapshot(a, 8192)).isEqualTo(before);
        }
    }

    @Test
    void corruptMarkerIsTreatedAsACrash() throws Exception {
        try (KvStateMachine a = KvStateMachine.open(Fixtures.small(dir).build())) {
            applyAll(a, sampleLog(20, 7), 1);
        }
        Files.write(dir.resolve("clean-shutdown"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        try (KvStateMachine a = KvStateMachine.open(Fixtures.small(dir).build())) {
            assertThat(a.reusedOnOpen()).isFalse();
            assertThat(a.appliedIndex()).isZero();
        }
    }

    @Test
    void mapsDamagedAfterACleanCloseAreDiscardedNotServed() throws Exception {
        byte[] value = b("value-that-a-flipped-bit-must-not-silently-change");
        for (boolean emptyTheFile : List.of(false, true)) {
            Path machineDir = dir.resolve("damaged-" + emptyTheFile);
            try (KvStateMachine a =
                    KvStateMachine.open(Fixtures.small(machineDir).build())) {
                a.apply(1, encode(new Command.Put(new TxnOp.Put(b("a"), value, 0, false))));
            }
            Path entries = machineDir.resolve("state").resolve("entries.cm");
            byte[] bytes = Files.readAllBytes(entries);
            if (emptyTheFile) {
                bytes = new byte[0];
            } else {
                int at = indexOf(bytes, value);
                assertThat(at).as("the value is stored inline in %s", entries).isNotNegative();
                bytes[at + 3] ^= 0x01;
            }
            Files.write(entries, bytes);
            try (KvStateMachine a =
                    KvStateMachine.open(Fixtures.small(machineDir).build())) {
                assertThat(a.reusedOnOpen()).isFalse();
                assertThat(a.appliedIndex()).isZero();
                assertThat(((GetResponse) get(a, "a")).kv()).isEmpty();
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void openingAgainAfterReuseWithoutCloseIsACrash() {
        KvStateMachine first = KvStateMachine.open(Fixtures.small(dir).build());
        first.apply(1, encode(new Command.Put(new TxnOp.Put(b("a"), b("1"), 0, false))));
        first.close();
        KvStateMachine reused = KvStateMachine.open(Fixtures.small(dir).build());
        assertThat(reused.reusedOnOpen()).isTrue();
        assertThat(s(((GetResponse) get(reused, "a")).kv().orElseThrow().value()))
                .isEqualTo("1");
        try (KvStateMachine afterCrash = KvStateMachine.open(Fixtures.small(dir).build())) {
            assertThat(afterCrash.reusedOnOpen()).isFalse();
            assertThat(afterCrash.appliedIndex()).isZero();
        }
        reused.close();
    }

    static String render(Object result) {
        return String.valueOf(result);
    }
}
