package dev.aspen.kv.wire;

import dev.aspen.kv.Compare;
import dev.aspen.kv.DeleteResponse;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.GetResponse;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValue;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvLimits;
import dev.aspen.kv.LeaseResponse;
import dev.aspen.kv.LeaseRevokeResponse;
import dev.aspen.kv.LeaseTimeToLiveResponse;
import dev.aspen.kv.OpResult;
import dev.aspen.kv.PutAllResponse;
import dev.aspen.kv.PutResponse;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.ScanResponse;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.TxnResponse;
import dev.aspen.kv.WatchEvent;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators of every request, response, error value and watch event, with small random contents. */
final class WireArbitraries {
    private WireArbitraries() {}

    static Arbitrary<byte[]> bytes(int maxSize) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxSize);
    }

    static Arbitrary<Long> numbers() {
        return Arbitraries.oneOf(
                Arbitraries.longs(),
                Arbitraries.longs().between(-2, 300),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE));
    }

    static Arbitrary<KeyRange> ranges() {
        return Combinators.combine(Arbitraries.of(KeyRange.Kind.class), bytes(12), bytes(12))
                .as(KeyRange::of);
    }

    static Arbitrary<ReadConsistency> consistencies() {
        return Arbitraries.oneOf(
                Arbitraries.of(ReadConsistency.LINEARIZABLE, ReadConsistency.LEASE),
                Arbitraries.longs().between(0, Long.MAX_VALUE).map(ReadConsistency::stale));
    }

    static Arbitrary<TxnOp.Put> puts() {
        return Combinators.combine(bytes(12), bytes(40), numbers(), Arbitraries.of(true, false))
                .as(TxnOp.Put::new);
    }

    static Arbitrary<Compare> compares() {
        Arbitrary<Compare> values = Combinators.combine(bytes(12), Arbitraries.of(Compare.Op.class), bytes(20))
                .as(Compare::value);
        Arbitrary<Compare> numbers = Combinators.combine(
                        bytes(12),
                        Arbitraries.of(
                                Compare.Target.VERSION,
                                Compare.Target.CREATE_REVISION,
                                Compare.Target.MOD_REVISION,
                                Compare.Target.LEASE),
                        Arbitraries.of(Compare.Op.class),
                        numbers())
                .as(Compare::number);
        return Arbitraries.oneOf(values, numbers);
    }

    static Arbitrary<TxnOp> txnOps() {
        return Arbitraries.oneOf(
                puts().map(p -> p),
                bytes(12).map(TxnOp.Get::new),
                Combinators.combine(ranges(), Arbitraries.of(true, false)).as(TxnOp.Delete::new),
                Combinators.combine(ranges(), scanLimits(), Arbitraries.of(true, false))
                        .as(TxnOp.Scan::new));
    }

    private static Arbitrary<Integer> scanLimits() {
        return Arbitraries.integers().between(0, KvLimits.MAX_SCAN_LIMIT);
    }

    static Arbitrary<KvRequest> requests() {
        Arbitrary<Boolean> bool = Arbitraries.of(true, false);
        return Arbitraries.oneOf(
                Combinators.combine(bytes(12), bytes(40), numbers(), bool).as(KvRequest.Put::new),
                Combinators.combine(bytes(12), consistencies()).as(KvRequest.Get::new),
                Combinators.combine(ranges(), bool).as(KvRequest.Delete::new),
                puts().list().ofMaxSize(5).map(KvRequest.PutAll::new),
                Combinators.combine(ranges(), scanLimits(), bool, consistencies())
                        .as(KvRequest.Scan::new),
                Combinators.combine(
                                compares().list().ofMaxSize(4),
                                txnOps().list().ofMaxSize(4),
                                txnOps().list().ofMaxSize(4))
                        .as(KvRequest.Txn::new),
                numbers().map(KvRequest.LeaseGrant::new),
                numbers().map(KvRequest.LeaseKeepAlive::new),
                numbers().map(KvRequest.LeaseRevoke::new),
                Combinators.combine(numbers(), consistencies()).as(KvRequest.LeaseTimeToLive::new),
                Combinators.combine(ranges(), numbers(), bool).as(KvRequest.Watch::new));
    }

    static Arbitrary<KeyValue> keyValues() {
        return Combinators.combine(bytes(12), bytes(40), numbers(), numbers(), numbers(), numbers())
                .as(KeyValue::new);
    }

    static Arbitrary<Optional<KeyValue>> optionalKvs() {
        return keyValues().optional(0.5);
    }

    static Arbitrary<OpResult> opResults() {
        return Arbitraries.oneOf(
                Combinators.combine(numbers(), optionalKvs()).as(PutResponse::new),
                Combinators.combine(numbers(), optionalKvs()).as(GetResponse::new),
                Combinators.combine(numbers(), numbers(), keyValues().list().ofMaxSize(4))
                        .as(DeleteResponse::new),
                Combinators.combine(numbers(), keyValues().list().ofMaxSize(4), Arbitraries.of(true, false))
                        .as(ScanResponse::new));
    }

    static Arbitrary<KvException> errors() {
        Arbitrary<String> text = Arbitraries.strings()
                .alpha()
                .numeric()
                .withChars(' ', ':', '\u00e9', '\u6f22')
                .ofMaxLength(60);
        Arbitrary<KvException> plain = Combinators.combine(
                        Arbitraries.of(ErrorCode.class)
                                .filter(c -> c != ErrorCode.NOT_LEADER && c != ErrorCode.COMPACTED),
                        text)
                .as(KvException::of);
        Arbitrary<KvException> notLeader = text.injectNull(0.3).map(KvException::notLeader);
        Arbitrary<KvException> compacted =
                Combinators.combine(numbers(), numbers()).as(KvException::compacted);
        return Arbitraries.oneOf(plain, notLeader, compacted);
    }

    /** Every response record type and error values. */
    static Arbitrary<Object> responses() {
        return Arbitraries.oneOf(
                opResults().map(r -> r),
                Combinators.combine(
                                numbers(),
                                Arbitraries.of(true, false),
                                opResults().list().ofMaxSize(4))
                        .as(TxnResponse::new),
                Combinators.combine(numbers(), Arbitraries.integers()).as(PutAllResponse::new),
                Combinators.combine(numbers(), numbers(), numbers()).as(LeaseResponse::new),
                Combinators.combine(numbers(), numbers()).as(LeaseRevokeResponse::new),
                Combinators.combine(
                                numbers(),
                                numbers(),
                                numbers(),
                                bytes(12).list().ofMaxSize(4),
                                numbers())
                        .as(LeaseTimeToLiveResponse::new),
                errors().map(e -> e));
    }

    static Arbitrary<WatchEvent> events() {
        return Combinators.combine(numbers(), Arbitraries.of(WatchEvent.Type.class), keyValues(), optionalKvs())
                .as(WatchEvent::new);
    }
}
