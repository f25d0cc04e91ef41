package dev.aspen.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.tickets.NodeId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class PeerRecordProperties {
    @Provide
    Arbitrary<InetSocketAddress> addresses() {
        Arbitrary<byte[]> ip = Arbitraries.of(4, 16)
                .flatMap(n -> Arbitraries.bytes().array(byte[].class).ofSize(n));
        return Combinators.combine(ip, Arbitraries.integers().between(1, 65535)).as((bytes, port) -> {
            try {
                return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Provide
    Arbitrary<PeerRecord> records() {
        Arbitrary<byte[]> spki =
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(PeerRecord.MAX_SPKI_BYTES);
        return Combinators.combine(
                        spki,
                        addresses(),
                        addresses(),
                        addresses().optional(),
                        Arbitraries.of(Role.class),
                        Arbitraries.longs().greaterOrEqual(0))
                .as((key, quic, gossip, http, role, incarnation) ->
                        new PeerRecord(NodeId.ofSubjectPublicKeyInfo(key), key, quic, gossip, http, role, incarnation));
    }

    @Property(tries = 300)
    void everyRecordRoundTrips(@ForAll("records") PeerRecord record) {
        byte[] bytes = record.encode();
        assertThat(bytes.length).isLessThanOrEqualTo(PeerRecord.MAX_ENCODED_BYTES);
        assertThat(PeerRecord.decode(bytes)).isEqualTo(record);
    }

    @Property(tries = 500)
    void arbitraryBytesDecodeOrFailWithANamedRejection(@ForAll @Size(max = 700) byte[] bytes) {
        try {
            PeerRecord.decode(bytes);
            SignedPeerRecord.decode(bytes);
        } catch (RecordRejectedException e) {
            assertThat(e.reason()).isEqualTo(RejectReason.MALFORMED);
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 200)
    void everyTruncationOfAValidRecordIsRejected(@ForAll("records") PeerRecord record, @ForAll byte cut) {
        byte[] bytes = record.encode();
        int length = Math.floorMod(cut, bytes.length);
        byte[] truncated = java.util.Arrays.copyOf(bytes, length);
        try {
            PeerRecord.decode(truncated);
            throw new AssertionError("decoded a truncated record of " + length + " bytes");
        } catch (RecordRejectedException e) {
            assertThat(e.reason()).isEqualTo(RejectReason.MALFORMED);
        }
    }
}
