package dev.aspen.kv.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.kv.KvException;
import dev.aspen.kv.LeaseTimeToLiveResponse;
import dev.aspen.kv.WatchEvent;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Round trips of every request, response, error value and watch event with random contents, and
 * decoding of random, truncated, extended and bit-flipped bytes, which must fail only with {@link
 * WireFormatException}.
 */
class KvWireProperties {
    private static final List<Function<byte[], Object>> DECODERS =
            List.of(KvWire::decodeRequest, KvWire::decodeResponse, KvWire::decodeEvent);

    @Provide
    Arbitrary<KvRequest> requests() {
        return WireArbitraries.requests();
    }

    @Provide
    Arbitrary<Object> responses() {
        return WireArbitraries.responses();
    }

    @Provide
    Arbitrary<WatchEvent> events() {
        return WireArbitraries.events();
    }

    @Provide
    Arbitrary<KvException> errors() {
        return WireArbitraries.errors();
    }

    @Provide
    Arbitrary<byte[]> encodings() {
        return net.jqwik.api.Arbitraries.oneOf(
                requests().map(KvWire::encodeRequest),
                responses().map(KvWire::encodeResponse),
                events().map(KvWire::encodeEvent));
    }

    @Property(tries = 400)
    void requestsRoundTrip(@ForAll("requests") KvRequest request) {
        byte[] bytes = KvWire.encodeRequest(request);
        KvRequest decoded = KvWire.decodeRequest(bytes);

        assertThat(decoded).hasSameClassAs(request);
        assertThat(KvWire.encodeRequest(decoded)).isEqualTo(bytes);
        assertThat(decoded).usingRecursiveComparison().isEqualTo(request);
    }

    @Property(tries = 400)
    void responsesRoundTrip(@ForAll("responses") Object response) {
        byte[] bytes = KvWire.encodeResponse(response);
        Object decoded = KvWire.decodeResponse(bytes);

        assertThat(decoded).hasSameClassAs(response);
        assertThat(KvWire.encodeResponse(decoded)).isEqualTo(bytes);
        if (response instanceof KvException e) {
            assertSameError((KvException) decoded, e);
        } else if (response instanceof LeaseTimeToLiveResponse l) {
            assertThat(decoded).usingRecursiveComparison().isEqualTo(l);
        } else {
            assertThat(decoded).isEqualTo(response);
        }
    }

    @Property(tries = 200)
    void everyErrorCodeRoundTripsWithItsFields(@ForAll("errors") KvException error) {
        Object decoded = KvWire.decodeResponse(KvWire.encodeResponse(error));

        assertThat(decoded).isInstanceOf(KvException.class);
        assertSameError((KvException) decoded, error);
    }

    @Property(tries = 200)
    void eventsRoundTrip(@ForAll("events") WatchEvent event) {
        byte[] bytes = KvWire.encodeEvent(event);

        assertThat(KvWire.decodeEvent(bytes)).isEqualTo(event);
    }

    @Property(tries = 300)
    void randomBytesFailOnlyWithWireFormatException(@ForAll byte[] bytes, @ForAll boolean validVersion) {
        if (validVersion && bytes.length > 0) {
            bytes[0] = KvWire.VERSION;
        }
        DECODERS.forEach(decoder -> decodeOrWireFormatException(() -> decoder.apply(bytes)));
    }

    @Property(tries = 150)
    void everyTruncationFails(@ForAll("encodings") byte[] bytes) {
        Function<byte[], Object> decoder = decoderFor(bytes);
        for (int length = 0; length < bytes.length; length++) {
            byte[] prefix = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> decoder.apply(prefix)).isInstanceOf(WireFormatException.class);
        }
    }

    @Property(tries = 150)
    void trailingBytesFail(@ForAll("encodings") byte[] bytes, @ForAll byte extra) {
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        longer[bytes.length] = extra;

        assertThatThrownBy(() -> decoderFor(bytes).apply(longer))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("trailing");
    }

    @Property(tries = 500)
    void bitFlipsFailOnlyWithWireFormatException(@ForAll("encodings") byte[] bytes, @ForAll int position) {
        byte[] flipped = bytes.clone();
        int bit = Math.floorMod(position, bytes.length * 8);
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));

        DECODERS.forEach(decoder -> decodeOrWireFormatException(() -> decoder.apply(flipped)));
    }

    /** The decoder of the family the encoding's tag belongs to (requests below 0x20, events 0x41). */
    private static Function<byte[], Object> decoderFor(byte[] bytes) {
        int tag = bytes[1] & 0xFF;
        return tag < 0x20 ? DECODERS.get(0) : tag == 0x41 ? DECODERS.get(2) : DECODERS.get(1);
    }

    private static void decodeOrWireFormatException(Supplier<Object> decode) {
        try {
            assertThat(decode.get()).isNotNull();
        } catch (WireFormatException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    static void assertSameError(KvException actual, KvException expected) {
        assertThat(actual.code()).isEqualTo(expected.code());
        assertThat(actual.getMessage()).isEqualTo(expected.getMessage());
        assertThat(actual.leaderId()).isEqualTo(expected.leaderId());
        assertThat(actual.oldestRevision()).isEqualTo(expected.oldestRevision());
        assertThat(actual.requestedRevision()).isEqualTo(expected.requestedRevision());
    }
}
