package dev.aspen.tickets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NodeIdTest {
    private static final byte[] SEQUENCE = new byte[32];

    static {
        for (int i = 0; i < 32; i++) {
            SEQUENCE[i] = (byte) i;
        }
    }

    @Test
    void formatsAsFiftyTwoLowerCaseBase32Characters() {
        // Bytes 0..31 in RFC 4648 base32, lower-cased, padding dropped.
        assertThat(NodeId.ofBytes(SEQUENCE).toString())
                .isEqualTo("aaaqeayeaudaocajbifqydiob4ibceqtcqkrmfyydenbwha5dypq");
    }

    @Test
    void parseRoundTripsTheTextForm() {
        NodeId id = NodeId.ofBytes(SEQUENCE);
        assertThat(NodeId.parse(id.toString())).isEqualTo(id).hasSameHashCodeAs(id);
        assertThat(NodeId.parse(id.toString()).toBytes()).isEqualTo(SEQUENCE);
    }

    @Test
    void equalityIsByValue() {
        byte[] other = SEQUENCE.clone();
        other[31] ^= 1;
        assertThat(NodeId.ofBytes(SEQUENCE)).isEqualTo(NodeId.ofBytes(SEQUENCE.clone()));
        assertThat(NodeId.ofBytes(SEQUENCE)).isNotEqualTo(NodeId.ofBytes(other));
    }

    @Test
    void isTheSha256OfTheSubjectPublicKeyInfo() throws Exception {
        var generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        var key = generator.generateKeyPair().getPublic();
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
        assertThat(NodeId.of(key).toBytes()).isEqualTo(expected);
    }

    @Test
    void rejectsWrongLength() {
        assertThatThrownBy(() -> NodeId.parse("abc"))
                .isInstanceOf(FormatException.class)
                .hasMessage("node id must be 52 base32 characters, got 3");
        assertThatThrownBy(() -> NodeId.ofBytes(new byte[31]))
                .isInstanceOf(FormatException.class)
                .hasMessage("node id must be 32 bytes, got 31");
    }

    @Test
    void rejectsCharactersOutsideTheAlphabet() {
        char[] text = NodeId.ofBytes(SEQUENCE).toString().toCharArray();
        text[5] = 'A';
        assertThatThrownBy(() -> NodeId.parse(new String(text)))
                .isInstanceOf(FormatException.class)
                .hasMessage("node id contains 'A' at position 5, which is not in the base32 alphabet a-z2-7");
        text[5] = '1';
        assertThatThrownBy(() -> NodeId.parse(new String(text))).hasMessageContaining("'1' at position 5");
    }

    @Test
    void rejectsNonCanonicalTrailingBits() {
        char[] text = NodeId.ofBytes(SEQUENCE).toString().toCharArray();
        text[51] = 'r'; // 'q' = 16 carries the last bit; 'r' = 17 sets an unused bit too
        assertThatThrownBy(() -> NodeId.parse(new String(text)))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("not canonical");
    }

    @Test
    void ordersByUnsignedBytes() {
        byte[] high = new byte[32];
        Arrays.fill(high, (byte) 0xff);
        assertThat(NodeId.ofBytes(SEQUENCE)).isLessThan(NodeId.ofBytes(high));
    }
}
