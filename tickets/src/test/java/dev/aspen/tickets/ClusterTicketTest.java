package dev.aspen.tickets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.tickets.internal.Base32;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterTicketTest {
    private static final ClusterId CLUSTER = Cookie.of("test").clusterId();
    private static final NodeId NODE_A = NodeId.ofBytes(filled(32, 0xa1));
    private static final NodeId NODE_B = NodeId.ofBytes(filled(32, 0xb2));

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    private static ClusterTicket sample() {
        return new ClusterTicket(
                CLUSTER,
                Optional.of(filled(32, 7)),
                List.of(
                        TicketPeer.parse(NODE_A + "@127.0.0.1:7000,[::1]:7001"),
                        TicketPeer.parse(NODE_B + "@10.0.0.2:65535")));
    }

    /** Payload bytes as the codec writes them, for hand-made corrupt tickets. */
    private static ByteArrayOutputStream header(int peers) {
        var out = new ByteArrayOutputStream();
        out.write(1);
        out.writeBytes(CLUSTER.toBytes());
        out.write(0);
        out.write(peers);
        return out;
    }

    private static void peer(ByteArrayOutputStream out, NodeId id, int addresses, int port) {
        out.writeBytes(id.toBytes());
        out.write(addresses);
        for (int i = 0; i < addresses; i++) {
            out.writeBytes(new byte[] {4, 127, 0, 0, (byte) (i + 1), (byte) (port >>> 8), (byte) port});
        }
    }

    private static String text(byte[] payload) {
        return "aspen" + Base32.encode(payload);
    }

    private static String text(ByteArrayOutputStream payload) {
        return text(payload.toByteArray());
    }

    @Test
    void roundTripsThroughText() {
        ClusterTicket ticket = sample();
        String text = ticket.toString();
        assertThat(text).startsWith("aspen").matches("aspen[a-z2-7]+");
        ClusterTicket parsed = ClusterTicket.parse(text);
        assertThat(parsed).isEqualTo(ticket).hasSameHashCodeAs(ticket);
        assertThat(parsed.joinSecret()).hasValueSatisfying(s -> assertThat(s).isEqualTo(filled(32, 7)));
        assertThat(parsed.peers().get(0).toString()).isEqualTo(NODE_A + "@127.0.0.1:7000,[0:0:0:0:0:0:0:1]:7001");
    }

    @Test
    void encodingIsCanonical() {
        assertThat(sample().toString()).isEqualTo(sample().toString());
        assertThat(ClusterTicket.parse(sample().toString()).toString()).isEqualTo(sample().toString());
    }

    @Test
    void ignoresSurroundingWhitespace() {
        assertThat(ClusterTicket.parse("  " + sample() + "\n")).isEqualTo(sample());
    }

    @Test
    void rejectsWrongPrefix() {
        assertThatThrownBy(
                        () -> ClusterTicket.parse("birch" + sample().toString().substring(5)))
                .isInstanceOf(FormatException.class)
                .hasMessage("ticket must start with 'aspen'");
    }

    @Test
    void rejectsBadBase32() {
        String ticket = sample().toString();
        assertThatThrownBy(() -> ClusterTicket.parse(ticket.substring(0, 10) + "!" + ticket.substring(11)))
                .isInstanceOf(FormatException.class)
                .hasMessage("ticket contains '!' at position 5, which is not in the base32 alphabet a-z2-7");
        assertThatThrownBy(() -> ClusterTicket.parse(ticket.toUpperCase().replace("ASPEN", "aspen")))
                .hasMessageContaining("not in the base32 alphabet");
    }

    @Test
    void rejectsUnknownVersion() {
        byte[] payload = header(0).toByteArray();
        payload[0] = 2;
        assertThatThrownBy(() -> ClusterTicket.parse(text(payload)))
                .isInstanceOf(FormatException.class)
                .hasMessage("ticket version 2 is not supported; this node reads version 1");
    }

    @Test
    void rejectsTruncatedPayload() {
        var out = header(1);
        out.writeBytes(NODE_A.toBytes());
        out.write(1);
        out.writeBytes(new byte[] {4, 127, 0});
        assertThatThrownBy(() -> ClusterTicket.parse(text(out)))
                .isInstanceOf(FormatException.class)
                .hasMessage("ticket is truncated: peer 1 address 1 needs 4 bytes, 2 left");
        assertThatThrownBy(() -> ClusterTicket.parse("aspen"))
                .isInstanceOf(FormatException.class)
                .hasMessage("ticket is empty after the 'aspen' prefix");
    }

    @Test
    void rejectsTrailingBytes() {
        var out = header(1);
        peer(out, NODE_A, 1, 7000);
        out.write(0);
        out.write(0);
        assertThatThrownBy(() -> ClusterTicket.parse(text(out)))
                .isInstanceOf(FormatException.class)
                .hasMessage("ticket has 2 trailing bytes after its last peer");
    }

    @Test
    void rejectsZeroPeers() {
        assertThatThrownBy(() -> ClusterTicket.parse(text(header(0))))
                .isInstanceOf(FormatException.class)
                .hasMessage("ticket has 0 peers; it must have 1 to 16");
    }

    @Test
    void rejectsMoreThanSixteenPeers() {
        var out = header(17);
        for (int i = 0; i < 17; i++) {
            peer(out, NodeId.ofBytes(filled(32, i)), 1, 7000);
        }
        assertThatThrownBy(() -> ClusterTicket.parse(text(out)))
                .isInstanceOf(FormatException.class)
                .hasMessage("ticket has 17 peers; it must have 1 to 16");
    }

    @Test
    void rejectsZeroAddresses() {
        var out = header(1);
        peer(out, NODE_A, 0, 7000);
        assertThatThrownBy(() -> ClusterTicket.parse(text(out)))
                .isInstanceOf(FormatException.class)
                .hasMessage("peer 1 has 0 addresses; it must have 1 to 8");
    }

    @Test
    void rejectsMoreThanEightAddresses() {
        var out = header(1);
        peer(out, NODE_A, 9, 7000);
        assertThatThrownBy(() -> ClusterTicket.parse(text(out)))
                .isInstanceOf(FormatException.class)
                .hasMessage("peer 1 has 9 addresses; it must have 1 to 8");
    }

    @Test
    void rejectsPortZero() {
        var out = header(1);
        peer(out, NODE_A, 1, 0);
        assertThatThrownBy(() -> ClusterTicket.parse(text(out)))
                .isInstanceOf(FormatException.class)
                .hasMessage("peer 1 address 1 has port 0; ports must be 1 to 65535");
    }

    @Test
    void rejectsUnknownAddressFamily() {
        var out = header(1);
        out.writeBytes(NODE_A.toBytes());
        out.write(1);
        out.writeBytes(new byte[] {5, 1, 2, 3, 4, 0, 1});
        assertThatThrownBy(() -> ClusterTicket.parse(text(out)))
                .isInstanceOf(FormatException.class)
                .hasMessage("peer 1 address 1 has family 5; expected 4 (IPv4) or 6 (IPv6)");
    }

    @Test
    void rejectsIpv4MappedIpv6BecauseItWouldNotBeCanonical() {
        var out = header(1);
        out.writeBytes(NODE_A.toBytes());
        out.write(1);
        out.write(6);
        out.writeBytes(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1});
        out.writeBytes(new byte[] {0x1b, 0x58});
        assertThatThrownBy(() -> ClusterTicket.parse(text(out)))
                .isInstanceOf(FormatException.class)
                .hasMessage("peer 1 address 1 is an IPv4-mapped IPv6 address; tickets store it as IPv4");
    }

    @Test
    void rejectsUnknownFlags() {
        byte[] payload = header(1).toByteArray();
        payload[17] = 2;
        assertThatThrownBy(() -> ClusterTicket.parse(text(payload)))
                .isInstanceOf(FormatException.class)
                .hasMessage("ticket has unknown flags 0x2");
    }

    @Test
    void rejectsDuplicatePeers() {
        var out = header(2);
        peer(out, NODE_A, 1, 7000);
        peer(out, NODE_A, 1, 7001);
        assertThatThrownBy(() -> ClusterTicket.parse(text(out)))
                .isInstanceOf(FormatException.class)
                .hasMessage("peer " + NODE_A + " appears twice in the ticket");
    }

    @Test
    void rejectsPayloadOverFourKibibytes() {
        byte[] payload = new byte[4097];
        assertThatThrownBy(() -> ClusterTicket.parse(text(payload)))
                .isInstanceOf(FormatException.class)
                .hasMessage("ticket payload is 4097 bytes, more than the 4096 allowed");
    }

    @Test
    void largestValidTicketFitsTheLimit() {
        var peers = new ArrayList<TicketPeer>();
        for (int p = 0; p < 16; p++) {
            var addresses = new ArrayList<String>();
            for (int a = 0; a < 8; a++) {
                addresses.add("[2001:db8::" + Integer.toHexString(p * 8 + a + 1) + "]:65535");
            }
            peers.add(TicketPeer.parse(NodeId.ofBytes(filled(32, p)) + "@" + String.join(",", addresses)));
        }
        var ticket = new ClusterTicket(CLUSTER, Optional.of(filled(32, 1)), peers);
        assertThat(ClusterTicket.parse(ticket.toString())).isEqualTo(ticket);
    }

    @Test
    void constructorRejectsBadContents() {
        assertThatThrownBy(() -> ClusterTicket.of(CLUSTER, List.of()))
                .isInstanceOf(FormatException.class)
                .hasMessage("a ticket needs 1 to 16 peers, got 0");
        assertThatThrownBy(() -> new ClusterTicket(CLUSTER, Optional.of(new byte[3]), sample().peers()))
                .isInstanceOf(FormatException.class)
                .hasMessage("join secret must be 32 bytes, got 3");
    }
}
