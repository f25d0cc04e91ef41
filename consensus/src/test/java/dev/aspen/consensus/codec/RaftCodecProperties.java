package dev.aspen.consensus.codec;

import static dev.aspen.consensus.codec.ModelAssertions.assertSameModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Arrays;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class RaftCodecProperties {
    private final RaftCodec codec = new RaftCodec();

    @Property(tries = 2000)
    void roundTripsEveryModelType(@ForAll("models") Object model) {
        byte[] encoded = codec.encode(model);
        assertThat(encoded[0]).isEqualTo(RaftCodec.FORMAT_VERSION);

        Object decoded = codec.decode(encoded);

        assertSameModel(model, decoded);
        assertThat(codec.encode(decoded)).isEqualTo(encoded);
    }

    @Property(tries = 300)
    void everyTruncationFailsWithCodecException(@ForAll("models") Object model) {
        byte[] encoded = codec.encode(model);
        for (int length = 0; length < encoded.length; length++) {
            byte[] prefix = Arrays.copyOf(encoded, length);
            assertThatThrownBy(() -> codec.decode(prefix))
                    .isExactlyInstanceOf(CodecException.class)
                    .hasMessageMatching("(?s).*(truncated|empty input).*");
        }
    }

    @Property(tries = 2000)
    void bitFlippedEncodingsDecodeOrFailWithCodecException(
            @ForAll("models") Object model, @ForAll @IntRange(min = 0, max = 1 << 20) int bit) {
        byte[] encoded = codec.encode(model);
        int position = bit % (encoded.length * 8);
        encoded[position / 8] ^= (byte) (1 << (position % 8));
        assertOnlyCodecException(encoded);
    }

    @Property(tries = 3000)
    void randomBytesFailOnlyWithCodecException(@ForAll @Size(max = 300) byte[] bytes) {
        assertOnlyCodecException(bytes);
        byte[] versioned = new byte[bytes.length + 1];
        versioned[0] = RaftCodec.FORMAT_VERSION;
        System.arraycopy(bytes, 0, versioned, 1, bytes.length);
        assertOnlyCodecException(versioned);
    }

    private void assertOnlyCodecException(byte[] bytes) {
        Throwable thrown = catchThrowable(() -> codec.decode(bytes));
        if (thrown != null) {
            assertThat(thrown).isExactlyInstanceOf(CodecException.class);
            assertThat(thrown.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<Object> models() {
        return ModelArbitraries.models();
    }
}
