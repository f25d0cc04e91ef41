package dev.aspen.kv.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValue;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvLimits;
import dev.aspen.kv.PutResponse;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.ScanResponse;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.internal.ByteWriter;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Every rejection of {@link KvWire}, with the field its message names, on encode and decode. */
class KvWireTest {
    private static final byte[] EMPTY = new byte[0];

    /** A writer holding the version byte and {@code tag}. */
    private static ByteWriter frame(int tag) {
        return new ByteWriter(16).writeByte(KvWire.VERSION).writeByte(tag);
    }

    private static void assertRequestRejected(ByteWriter w, String message) {
        byte[] bytes = w.toByteArray();
        assertThatThrownBy(() -> KvWire.decodeRequest(bytes))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining(message);
    }

    private static void assertResponseRejected(ByteWriter w, String message) {
        byte[] bytes = w.toByteArray();
        assertThatThrownBy(() -> KvWire.decodeResponse(bytes))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining(message);
    }

    @Test
    void rejectsEmptyOversizedAndUnknownVersion() {
        assertThatThrownBy(() -> KvWire.decodeRequest(EMPTY)).hasMessage("request is empty");
        assertThatThrownBy(() -> KvWire.decodeEvent(null)).hasMessage("event is empty");
        assertThatThrownBy(() -> KvWire.decodeRequest(new byte[KvWire.MAX_REQUEST_BYTES + 1]))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("request of " + (KvWire.MAX_REQUEST_BYTES + 1) + " bytes exceeds the limit "
                        + KvWire.MAX_REQUEST_BYTES);
        assertThatThrownBy(() -> KvWire.decodeResponse(new byte[] {2, 0x21, 0, 0}))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("response format version 2, expected 1");
    }

    @Test
    void rejectsUnknownTagsOfEachFamily() {
        assertRequestRejected(frame(0x63), "unknown request tag 99");
        assertRequestRejected(frame(0x21), "unknown request tag 33");
        assertResponseRejected(frame(0x01), "unknown response tag 1");
        byte[] request = KvWire.encodeRequest(new KvRequest.LeaseGrant(5));
        assertThatThrownBy(() -> KvWire.decodeEvent(request))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("unknown event tag 7");
        ByteWriter txn = frame(0x06).writeVarLong(0).writeVarLong(1).writeByte(9);
        assertRequestRejected(txn, "unknown txn success op tag 9");
    }

    @Test
    void rejectsTruncationAndTrailingBytes() {
        assertRequestRejected(frame(0x01).writeVarLong(3).writeByte('a'), "length 3 exceeds the 1 bytes left");
        assertRequestRejected(frame(0x01), "malformed key length: truncated");
        byte[] valid = KvWire.encodeRequest(new KvRequest.LeaseRevoke(3));
        byte[] longer = java.util.Arrays.copyOf(valid, valid.length + 2);
        assertThatThrownBy(() -> KvWire.decodeRequest(longer))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("malformed request: 2 trailing bytes");
    }

    @Test
    void rejectsLengthsAndCountsAboveTheKvLimits() {
        assertRequestRejected(frame(0x01).writeVarLong(KvLimits.MAX_KEY_BYTES + 1), "key length is 4097, limit 4096");
        assertRequestRejected(
                frame(0x01).writeBytes(new byte[] {1}).writeVarLong(KvLimits.MAX_VALUE_BYTES + 1),
                "value length is " + (KvLimits.MAX_VALUE_BYTES + 1) + ", limit " + KvLimits.MAX_VALUE_BYTES);
        assertRequestRejected(frame(0x04).writeVarLong(129), "putAll count is 129, limit 128");
        assertRequestRejected(frame(0x06).writeVarLong(129), "txn compare count is 129, limit 128");
        assertRequestRejected(frame(0x06).writeVarLong(0).writeVarLong(129), "txn success op count is 129, limit 128");
        assertRequestRejected(
                frame(0x05).writeByte(1).writeBytes(EMPTY).writeVarLong(KvLimits.MAX_SCAN_LIMIT + 1),
                "scan limit is 10001, limit 10000");
        assertResponseRejected(frame(0x25).writeByte(0).writeVarLong(10_001), "scan kv count is 10001, limit 10000");
        assertResponseRejected(frame(0x23).writeByte(0).writeByte(0).writeVarLong(1L << 40), "limit");
    }

    @Test
    void rejectsCountsLargerThanTheBytesLeftBeforeAllocating() {
        assertRequestRejected(frame(0x04).writeVarLong(100), "putAll count 100 exceeds the 0 bytes left");
        assertResponseRejected(
                frame(0x23).writeByte(0).writeByte(0).writeVarLong(1_000_000_000),
                "delete prevKvs count 1000000000 exceeds the 0 bytes left");
        assertResponseRejected(
                frame(0x29)
                        .writeByte(2)
                        .writeByte(2)
                        .writeByte(2)
                        .writeVarLong(50)
                        .writeByte(0),
                "lease key count 50 exceeds the 1 bytes left");
    }

    @Test
    void rejectsBadBooleansEnumsAndVarints() {
        assertRequestRejected(
                frame(0x03).writeByte(0).writeBytes(new byte[] {1}).writeByte(2), "malformed prevKv: boolean byte 2");
        assertRequestRejected(frame(0x03).writeByte(3), "unknown range kind 3");
        assertRequestRejected(frame(0x02).writeBytes(new byte[] {1}).writeByte(3), "unknown consistency mode 3");
        ByteWriter overlong = frame(0x07);
        for (int i = 0; i < 10; i++) {
            overlong.writeByte(0xFF);
        }
        assertRequestRejected(overlong, "lease ttl: varint longer than 64 bits");
        ByteWriter event = frame(0x41).writeByte(0).writeByte(2);
        byte[] eventBytes = event.toByteArray();
        assertThatThrownBy(() -> KvWire.decodeEvent(eventBytes))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("unknown event type 2");
    }

    @Test
    void rejectsFieldCombinationsTheRecordsRefuse() {
        ByteWriter linearizableWithMin = frame(0x02).writeBytes(new byte[] {1}).writeByte(0);
        WireIo.writeNumber(linearizableWithMin, 5);
        assertRequestRejected(linearizableWithMin, "consistency: minRevision must be >= 0 and only set for STALE");
        ByteWriter compare = frame(0x06)
                .writeVarLong(1)
                .writeBytes(new byte[] {1})
                .writeByte(1)
                .writeByte(0);
        WireIo.writeNumber(compare, 1);
        compare.writeBytes(new byte[] {7});
        assertRequestRejected(compare, "compare: value operand only allowed for target VALUE");
        ByteWriter bigCount = frame(0x24).writeByte(0);
        WireIo.writeNumber(bigCount, 1L << 40);
        assertResponseRejected(bigCount, "putAll count 1099511627776 does not fit an int");
    }

    @Test
    void rejectsUnknownErrorCodesAndMalformedText() {
        ByteWriter unknown = frame(0x3F).writeBytes("nope".getBytes(StandardCharsets.UTF_8));
        assertResponseRejected(unknown, "error code: unknown error code 'nope'");
        ByteWriter badUtf8 = frame(0x3F)
                .writeBytes("not_found".getBytes(StandardCharsets.UTF_8))
                .writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28});
        assertResponseRejected(badUtf8, "error message: malformed UTF-8");
        ByteWriter longText = frame(0x3F).writeVarLong(WireIo.MAX_TEXT_BYTES + 1);
        assertResponseRejected(longText, "error code length is 16385, limit 16384");
    }

    @Test
    void encodingRefusesWhatCannotTravelWithTheStoreErrorCodes() {
        assertKvError(
                () -> KvWire.encodeRequest(new KvRequest.Put(new byte[4097], EMPTY, 0, false)),
                ErrorCode.TOO_LARGE,
                "key of 4097 bytes, limit 4096");
        assertKvError(
                () -> KvWire.encodeRequest(new KvRequest.Put(null, EMPTY, 0, false)),
                ErrorCode.INVALID_ARGUMENT,
                "key must not be null");
        assertKvError(
                () -> KvWire.encodeRequest(
                        new KvRequest.Scan(KeyRange.prefix(EMPTY), -1, false, ReadConsistency.LEASE)),
                ErrorCode.INVALID_ARGUMENT,
                "scan limit must be >= 0, was -1");
        assertKvError(
                () -> KvWire.encodeRequest(new KvRequest.Get(new byte[] {1}, null)),
                ErrorCode.INVALID_ARGUMENT,
                "consistency must not be null");
        TxnOp.Put put = new TxnOp.Put(new byte[] {1}, EMPTY, 0, false);
        assertKvError(
                () -> KvWire.encodeRequest(new KvRequest.PutAll(Collections.nCopies(129, put))),
                ErrorCode.TOO_LARGE,
                "putAll count is 129, limit 128");
        byte[] big = new byte[KvLimits.MAX_VALUE_BYTES];
        List<TxnOp.Put> twoBig =
                List.of(new TxnOp.Put(new byte[] {1}, big, 0, false), new TxnOp.Put(new byte[] {2}, big, 0, false));
        assertKvError(
                () -> KvWire.encodeRequest(new KvRequest.PutAll(twoBig)), ErrorCode.TOO_LARGE, "request encodes to");
        assertThatThrownBy(() -> KvWire.encodeRequest(null)).isInstanceOf(KvException.class);
    }

    @Test
    void responsesThatCannotTravelBecomeErrorValues() {
        KeyValue oversizedKey = new KeyValue(new byte[4097], EMPTY, 1, 1, 1, 0);
        Object decoded =
                KvWire.decodeResponse(KvWire.encodeResponse(new ScanResponse(3, List.of(oversizedKey), false)));

        assertThat(decoded).isInstanceOf(KvException.class);
        assertThat(((KvException) decoded).code()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(((KvException) decoded).getMessage()).isEqualTo("too_large: kv key of 4097 bytes, limit 4096");
        assertThatThrownBy(() -> KvWire.encodeResponse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KvWire.encodeResponse("text")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void typedDecodeReturnsTheRecordThrowsTheErrorAndRejectsAnotherType() {
        byte[] put = KvWire.encodeResponse(new PutResponse(7, java.util.Optional.empty()));
        byte[] error = KvWire.encodeResponse(KvException.notLeader("node-3"));

        assertThat(KvWire.decodeResponse(put, PutResponse.class).revision()).isEqualTo(7);
        assertKvError(() -> KvWire.decodeResponse(error, PutResponse.class), ErrorCode.NOT_LEADER, "leader is node-3");
        assertThatThrownBy(() -> KvWire.decodeResponse(put, ScanResponse.class))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("expected a ScanResponse response, got a PutResponse");
    }

    @Test
    void everyErrorCodeTravelsWithItsExtraFields() {
        for (ErrorCode code : ErrorCode.values()) {
            KvException error =
                    switch (code) {
                        case NOT_LEADER -> KvException.notLeader("node-7");
                        case COMPACTED -> KvException.compacted(3, 40);
                        default -> KvException.of(code, "because " + code);
                    };
            Object decoded = KvWire.decodeResponse(KvWire.encodeResponse(error));

            assertThat(decoded).isInstanceOf(KvException.class);
            KvWireProperties.assertSameError((KvException) decoded, error);
        }
        KvException unknownLeader =
                (KvException) KvWire.decodeResponse(KvWire.encodeResponse(KvException.notLeader(null)));
        assertThat(unknownLeader.leaderId()).isEmpty();
        KvException compacted =
                (KvException) KvWire.decodeResponse(KvWire.encodeResponse(KvException.compacted(3, 40)));
        assertThat(compacted.oldestRevision()).isEqualTo(40);
        assertThat(compacted.requestedRevision()).isEqualTo(3);
    }

    @Test
    void longErrorMessagesAreCutAndOutcomesUnwrapFailures() {
        KvException verbose = KvException.of(ErrorCode.UNAVAILABLE, "x".repeat(10_000));
        KvException cut = (KvException) KvWire.decodeResponse(KvWire.encodeResponse(verbose));
        assertThat(cut.getMessage()).isEqualTo("unavailable: " + "x".repeat(WireIo.MAX_MESSAGE_CHARS));

        KvException notLeader = KvException.notLeader("node-2");
        Object unwrapped = KvWire.decodeResponse(KvWire.encodeOutcome(null, new CompletionException(notLeader)));
        KvWireProperties.assertSameError((KvException) unwrapped, notLeader);

        Object internal = KvWire.decodeResponse(KvWire.encodeOutcome(null, new IllegalStateException("boom")));
        assertThat(((KvException) internal).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(((KvException) internal).getMessage()).contains("IllegalStateException: boom");
    }

    private static void assertKvError(Runnable call, ErrorCode code, String message) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        KvException.class, e -> assertThat(e.code()).isEqualTo(code))
                .hasMessageContaining(message);
    }
}
