package dev.aspen.kv;

import static dev.aspen.kv.Fixtures.b;
import static dev.aspen.kv.Fixtures.join;
import static dev.aspen.kv.Fixtures.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyValueStoreTest {
    @TempDir
    Path dir;

    KvStateMachine machine;
    DirectCommandLog log;
    KeyValueStore kv;

    @BeforeEach
    void open() {
        machine = KvStateMachine.open(Fixtures.small(dir).maxLeases(3).build());
        log = new DirectCommandLog(machine);
        kv = KeyValueStore.over(log, machine, null);
    }

    @AfterEach
    void close() {
        log.close();
        machine.close();
    }

    @Test
    void putGetTracksRevisionsAndVersions() {
        PutResponse first = join(kv.put(b("a"), b("1")));
        PutResponse second = join(kv.put(b("a"), b("2"), 0, true));
        GetResponse got = join(kv.get(b("a")));

        assertThat(first.revision()).isEqualTo(1);
        assertThat(first.prevKv()).isEmpty();
        assertThat(second.revision()).isEqualTo(2);
        assertThat(second.prevKv())
                .hasValueSatisfying(kv -> assertThat(s(kv.value())).isEqualTo("1"));
        assertThat(got.revision()).isEqualTo(2);
        KeyValue value = got.kv().orElseThrow();
        assertThat(s(value.value())).isEqualTo("2");
        assertThat(value.createRevision()).isEqualTo(1);
        assertThat(value.modRevision()).isEqualTo(2);
        assertThat(value.version()).isEqualTo(2);
        assertThat(join(kv.get(b("missing"))).kv()).isEmpty();
    }

    @Test
    void deleteKeyPrefixAndRangeCountAndAdvanceOneRevisionEach() {
        for (String k : List.of("a", "ab", "abc", "b", "c", "d")) {
            join(kv.put(b(k), b(k)));
        }
        DeleteResponse prefix = join(kv.delete(KeyRange.prefix(b("ab")), true));
        DeleteResponse range = join(kv.delete(KeyRange.between(b("b"), b("d")), false));
        DeleteResponse missing = join(kv.delete(KeyRange.key(b("zz")), false));

        assertThat(prefix.deleted()).isEqualTo(2);
        assertThat(prefix.prevKvs()).extracting(kv -> s(kv.key())).containsExactly("ab", "abc");
        assertThat(prefix.revision()).isEqualTo(7);
        assertThat(range.deleted()).isEqualTo(2);
        assertThat(range.revision()).isEqualTo(8);
        assertThat(missing.deleted()).isZero();
        assertThat(missing.revision()).isEqualTo(8);
        ScanResponse all = join(kv.scan(KeyRange.prefix(new byte[0]), 0, false, ReadConsistency.LINEARIZABLE));
        assertThat(all.kvs()).extracting(kv -> s(kv.key())).containsExactly("a", "d");
    }

    @Test
    void scanOrdersUnsignedAndHonoursLimitAndKeysOnly() {
        join(kv.put(new byte[] {(byte) 0xF0}, b("hi")));
        join(kv.put(new byte[] {0x01}, b("lo")));
        join(kv.put(new byte[] {0x7F}, b("mid")));

        ScanResponse limited = join(kv.scan(KeyRange.prefix(new byte[0]), 2, true, ReadConsistency.stale()));
        ScanResponse tail =
                join(kv.scan(KeyRange.between(new byte[] {0x10}, new byte[0]), 0, false, ReadConsistency.LEASE));

        assertThat(limited.kvs()).extracting(kv -> kv.key()[0]).containsExactly((byte) 0x01, (byte) 0x7F);
        assertThat(limited.more()).isTrue();
        assertThat(limited.kvs()).allSatisfy(kv -> assertThat(kv.value()).isEmpty());
        assertThat(tail.kvs()).extracting(kv -> kv.key()[0]).containsExactly((byte) 0x7F, (byte) 0xF0);
        assertThat(tail.more()).isFalse();
    }

    @Test
    void putAllIsOneRevisionAndRejectsDuplicates() {
        PutAllResponse r = join(
                kv.putAll(List.of(new TxnOp.Put(b("x"), b("1"), 0, false), new TxnOp.Put(b("y"), b("2"), 0, false))));

        assertThat(r.revision()).isEqualTo(1);
        assertThat(join(kv.get(b("y"))).kv().orElseThrow().modRevision()).isEqualTo(1);
        assertCode(
                kv.putAll(List.of(new TxnOp.Put(b("x"), b("1"), 0, false), new TxnOp.Put(b("x"), b("2"), 0, false))),
                ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void txnChoosesBranchAtomicallyAndLaterOpsSeeEarlierWrites() {
        join(kv.put(b("k"), b("v1")));
        TxnResponse ok = join(kv.txn(
                List.of(
                        Compare.value(b("k"), Compare.Op.EQUAL, b("v1")),
                        Compare.number(b("k"), Compare.Target.VERSION, Compare.Op.LESS, 5)),
                List.of(
                        new TxnOp.Put(b("k"), b("v2"), 0, true),
                        new TxnOp.Get(b("k")),
                        new TxnOp.Put(b("other"), b("o"), 0, false)),
                List.of(new TxnOp.Get(b("k")))));
        TxnResponse failed = join(kv.txn(
                List.of(Compare.number(b("k"), Compare.Target.MOD_REVISION, Compare.Op.GREATER, 100)),
                List.of(new TxnOp.Delete(KeyRange.key(b("k")), false)),
                List.of(new TxnOp.Scan(KeyRange.prefix(new byte[0]), 0, true))));

        assertThat(ok.succeeded()).isTrue();
        assertThat(ok.revision()).isEqualTo(2);
        assertThat(ok.results()).hasSize(3).allSatisfy(r -> assertThat(r.revision())
                .isEqualTo(2));
        GetResponse inner = (GetResponse) ok.results().get(1);
        assertThat(s(inner.kv().orElseThrow().value())).isEqualTo("v2");
        assertThat(failed.succeeded()).isFalse();
        assertThat(failed.revision()).isEqualTo(2);
        assertThat(((ScanResponse) failed.results().get(0)).kvs()).hasSize(2);
        assertCode(
                kv.txn(
                        List.of(),
                        List.of(
                                new TxnOp.Put(b("a"), b("1"), 0, false),
                                new TxnOp.Delete(KeyRange.prefix(b("a")), false)),
                        List.of()),
                ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void leaseRevokeDeletesAttachedKeysInOneRevision() {
        LeaseResponse lease = join(kv.leaseGrant(30));
        join(kv.put(b("l1"), b("x"), lease.id(), false));
        join(kv.put(b("l2"), b("x"), lease.id(), false));
        join(kv.put(b("l3"), b("x"), lease.id(), false));
        join(kv.put(b("l3"), b("detached"), 0, false));

        LeaseTimeToLiveResponse ttl = join(kv.leaseTimeToLive(lease.id(), ReadConsistency.LINEARIZABLE));
        assertThat(ttl.keys()).extracting(Fixtures::s).containsExactly("l1", "l2");
        assertThat(ttl.grantedTtlSeconds()).isEqualTo(30);
        assertThat(ttl.remainingMillis()).isEqualTo(-1);
        assertThat(join(kv.leaseKeepAlive(lease.id())).ttlSeconds()).isEqualTo(30);

        LeaseRevokeResponse revoked = join(kv.leaseRevoke(lease.id()));
        assertThat(revoked.deletedKeys()).isEqualTo(2);
        assertThat(revoked.revision()).isEqualTo(5);
        assertThat(join(kv.get(b("l1"))).kv()).isEmpty();
        assertThat(join(kv.get(b("l3"))).kv()).isPresent();
        assertCode(kv.leaseRevoke(lease.id()), ErrorCode.LEASE_NOT_FOUND);
        assertCode(kv.leaseKeepAlive(lease.id()), ErrorCode.LEASE_NOT_FOUND);
        assertCode(kv.leaseTimeToLive(lease.id(), ReadConsistency.LINEARIZABLE), ErrorCode.LEASE_NOT_FOUND);
        assertCode(kv.put(b("k"), b("v"), lease.id(), false), ErrorCode.LEASE_NOT_FOUND);
    }

    @Test
    void largeValuesUpToFourMebibytesRoundTripAndShrink() {
        byte[] big = new byte[KvLimits.MAX_VALUE_BYTES];
        new Random(7).nextBytes(big);
        byte[] key = new byte[KvLimits.MAX_KEY_BYTES];
        Arrays.fill(key, (byte) 'k');

        join(kv.put(key, big));
        assertThat(join(kv.get(key)).kv().orElseThrow().value()).isEqualTo(big);
        join(kv.put(key, b("small")));
        assertThat(s(join(kv.get(key)).kv().orElseThrow().value())).isEqualTo("small");
        byte[] mid = Arrays.copyOf(big, 200_000);
        join(kv.put(key, mid));
        assertThat(join(kv.get(key)).kv().orElseThrow().value()).isEqualTo(mid);
        assertThat(join(kv.delete(KeyRange.key(key), false)).deleted()).isEqualTo(1);
    }

    @Test
    void enforcesRequestLimitsWithTooLarge() {
        assertCode(kv.put(new byte[KvLimits.MAX_KEY_BYTES + 1], b("v")), ErrorCode.TOO_LARGE);
        assertCode(kv.put(b("k"), new byte[KvLimits.MAX_VALUE_BYTES + 1]), ErrorCode.TOO_LARGE);
        List<TxnOp> ops = new ArrayList<>();
        for (int i = 0; i <= KvLimits.MAX_TXN_OPS; i++) {
            ops.add(new TxnOp.Get(b("k" + i)));
        }
        assertCode(kv.txn(List.of(), ops, List.of()), ErrorCode.TOO_LARGE);
        assertCode(
                kv.scan(KeyRange.prefix(b("")), KvLimits.MAX_SCAN_LIMIT + 1, false, ReadConsistency.LINEARIZABLE),
                ErrorCode.TOO_LARGE);
        assertThat(join(kv.txn(List.of(), ops.subList(0, KvLimits.MAX_TXN_OPS), List.of()))
                        .results())
                .hasSize(KvLimits.MAX_TXN_OPS);
    }

    @Test
    void rejectsMalformedRequestsWithInvalidArgument() {
        assertCode(kv.put(new byte[0], b("v")), ErrorCode.INVALID_ARGUMENT);
        assertCode(kv.put(null, b("v")), ErrorCode.INVALID_ARGUMENT);
        assertCode(kv.delete(KeyRange.between(b("b"), b("a")), false), ErrorCode.INVALID_ARGUMENT);
        assertCode(kv.leaseGrant(0), ErrorCode.INVALID_ARGUMENT);
        assertCode(kv.leaseGrant(KvLimits.MAX_LEASE_TTL_SECONDS + 1), ErrorCode.INVALID_ARGUMENT);
        assertCode(kv.put(b("k"), b("v"), -1, false), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void staleReadBelowMinimumRevisionIsUnavailable() {
        join(kv.put(b("a"), b("1")));

        assertThat(join(kv.get(b("a"), ReadConsistency.stale(1))).kv()).isPresent();
        assertCode(kv.get(b("a"), ReadConsistency.stale(2)), ErrorCode.UNAVAILABLE);
    }

    @Test
    void leaseCountIsCappedWithFailedPrecondition() {
        for (int i = 0; i < 3; i++) {
            join(kv.leaseGrant(10));
        }
        assertCode(kv.leaseGrant(10), ErrorCode.FAILED_PRECONDITION);
    }

    @Test
    void closedLogIsUnavailable() {
        log.close();
        assertCode(kv.put(b("a"), b("1")), ErrorCode.UNAVAILABLE);
    }

    static void assertCode(java.util.concurrent.CompletableFuture<?> f, ErrorCode code) {
        assertThatThrownBy(() -> join(f)).isInstanceOfSatisfying(KvException.class, e -> assertThat(e.code())
                .isEqualTo(code));
    }
}
