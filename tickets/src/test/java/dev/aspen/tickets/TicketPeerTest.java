package dev.aspen.tickets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class TicketPeerTest {
    private static final String NODE = NodeId.ofBytes(new byte[32]).toString();

    @Test
    void parsesNodeIdAndAddresses() {
        TicketPeer peer = TicketPeer.parse(NODE + "@127.0.0.1:7000,[::1]:7001");
        assertThat(peer.nodeId()).isEqualTo(NodeId.parse(NODE));
        assertThat(peer.addresses())
                .containsExactly(new InetSocketAddress("127.0.0.1", 7000), new InetSocketAddress("::1", 7001));
    }

    @Test
    void rejectsMissingAtSign() {
        assertThatThrownBy(() -> TicketPeer.parse("127.0.0.1:7000"))
                .isInstanceOf(FormatException.class)
                .hasMessage("peer '127.0.0.1:7000' must look like NODEID@HOST:PORT[,HOST:PORT...]");
    }

    @Test
    void rejectsHostNamesWithoutLookingThemUp() {
        assertThatThrownBy(() -> SocketAddresses.parse("localhost:7000"))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("host names are not accepted");
    }

    @Test
    void rejectsBadPorts() {
        assertThatThrownBy(() -> SocketAddresses.parse("127.0.0.1:0"))
                .hasMessage("address '127.0.0.1:0' has port 0; ports are 1 to 65535");
        assertThatThrownBy(() -> SocketAddresses.parse("127.0.0.1:65536"))
                .hasMessage("address '127.0.0.1:65536' has port 65536; ports are 1 to 65535");
        assertThatThrownBy(() -> SocketAddresses.parse("127.0.0.1:x")).hasMessageContaining("has port 'x'");
        assertThatThrownBy(() -> SocketAddresses.parse("127.0.0.1")).hasMessageContaining("has no port");
    }

    @Test
    void rejectsMalformedIpAddresses() {
        assertThatThrownBy(() -> SocketAddresses.parse("256.0.0.1:1")).isInstanceOf(FormatException.class);
        assertThatThrownBy(() -> SocketAddresses.parse("1.2.3:1")).isInstanceOf(FormatException.class);
        assertThatThrownBy(() -> SocketAddresses.parse("[::g]:1"))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("invalid IPv6");
        assertThatThrownBy(() -> SocketAddresses.parse("[1:2:3:4:5:6:7:8:9]:1"))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("invalid IPv6");
    }

    @Test
    void rejectsDuplicateAddresses() {
        assertThatThrownBy(() -> TicketPeer.parse(NODE + "@127.0.0.1:1,127.0.0.1:1"))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("appears twice");
    }

    @Test
    void formatsAsItParses() {
        TicketPeer peer = TicketPeer.parse(NODE + "@10.1.2.3:9,[2001:db8::1]:10");
        assertThat(TicketPeer.parse(peer.toString())).isEqualTo(peer);
    }
}
