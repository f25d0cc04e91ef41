package dev.aspen.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.discovery.testing.KeyFiles;
import dev.aspen.discovery.testing.Records;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PeerRecordTest {
    private final PeerRecord record = Records.of(KeyFiles.generate(), 7946, 42);

    private static void assertMalformed(byte[] bytes, String message) {
        assertThatThrownBy(() -> PeerRecord.decode(bytes))
                .isInstanceOf(RecordRejectedException.class)
                .hasMessageContaining(message)
                .extracting(e -> ((RecordRejectedException) e).reason())
                .isEqualTo(RejectReason.MALFORMED);
    }

    @Test
    void roundTripsWithAndWithoutHttpAndIpv6() throws Exception {
        assertThat(PeerRecord.decode(record.encode())).isEqualTo(record);
        var v6 = new InetSocketAddress(InetAddress.getByName("::1"), 9000);
        var other = new PeerRecord(
                record.nodeId(), record.spki(), v6, v6, Optional.empty(), Role.CLIENT_ONLY, Long.MAX_VALUE);
        assertThat(PeerRecord.decode(other.encode())).isEqualTo(other);
    }

    @Test
    void startsWithTheVersionByteAndRejectsOtherVersions() {
        byte[] bytes = record.encode();
        assertThat(bytes[0]).isEqualTo((byte) PeerRecord.VERSION);
        bytes[0] = 2;
        assertMalformed(bytes, "version 2, this node reads 1");
    }

    @Test
    void rejectsTruncatedAndTrailingBytes() {
        byte[] bytes = record.encode();
        assertMalformed(Arrays.copyOf(bytes, bytes.length - 1), "truncated: incarnation");
        assertMalformed(Arrays.copyOf(bytes, bytes.length + 1), "1 unexpected trailing bytes");
        assertMalformed(new byte[0], "truncated: version");
    }

    @Test
    void rejectsOversizedSpkiLengthBeforeAllocating() {
        byte[] bytes = record.encode();
        bytes[33] = (byte) 0xff; // spki length high byte: 65k+ bytes claimed
        assertMalformed(bytes, "spki of");
    }

    @Test
    void rejectsInputOverTheSizeLimit() {
        assertMalformed(new byte[PeerRecord.MAX_ENCODED_BYTES + 1], "limit " + PeerRecord.MAX_ENCODED_BYTES);
    }

    @Test
    void rejectsUnknownRoleFlagAndFamily() {
        byte[] bytes = record.encode();
        byte[] badRole = bytes.clone();
        badRole[bytes.length - 9] = 9;
        assertMalformed(badRole, "unknown role code 9");
        int quicFamily = 1 + 32 + 2 + record.spki().length;
        byte[] badFamily = bytes.clone();
        badFamily[quicFamily] = 5;
        assertMalformed(badFamily, "unknown address family 5");
        byte[] badFlag = bytes.clone();
        badFlag[quicFamily + 7 + 7] = 3;
        assertMalformed(badFlag, "http flag");
    }

    @Test
    void constructorValidatesFields() {
        assertThatThrownBy(() -> record.with(Role.VOTER, -1)).hasMessageContaining("incarnation");
        assertThatThrownBy(() -> new PeerRecord(
                        record.nodeId(),
                        new byte[0],
                        record.quicAddress(),
                        record.gossipAddress(),
                        Optional.empty(),
                        Role.VOTER,
                        1))
                .hasMessageContaining("spki");
        assertThatThrownBy(() -> new PeerRecord(
                        record.nodeId(),
                        record.spki(),
                        Records.loopback(0),
                        record.gossipAddress(),
                        Optional.empty(),
                        Role.VOTER,
                        1))
                .hasMessageContaining("quicAddress");
    }
}
