package dev.aspen.tickets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.aspen.tickets.internal.Base32;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ClusterTicketProperties {
    @Property(tries = 500)
    void roundTripsEveryValidTicket(@ForAll("tickets") ClusterTicket ticket) {
        String text = ticket.toString();
        ClusterTicket parsed = ClusterTicket.parse(text);
        assertThat(parsed).isEqualTo(ticket);
        assertThat(parsed.toString()).isEqualTo(text);
    }

    @Property(tries = 2000)
    void arbitraryTextFailsOnlyWithFormatException(@ForAll String text) {
        assertOnlyFormatException("aspen" + text);
        assertOnlyFormatException(text);
    }

    @Property(tries = 2000)
    void arbitraryPayloadsFailOnlyWithFormatException(@ForAll byte[] payload) {
        assertOnlyFormatException("aspen" + Base32.encode(payload));
    }

    @Property(tries = 1000)
    void mutatedValidTicketsFailOnlyWithFormatException(
            @ForAll("tickets") ClusterTicket ticket, @ForAll int position, @ForAll byte mask) {
        byte[] payload = Base32.decode(ticket.toString().substring(5), "ticket");
        payload[Math.floorMod(position, payload.length)] ^= mask;
        assertOnlyFormatException("aspen" + Base32.encode(payload));
    }

    private static void assertOnlyFormatException(String text) {
        Throwable thrown = catchThrowable(() -> ClusterTicket.parse(text));
        if (thrown != null) {
            assertThat(thrown).isExactlyInstanceOf(FormatException.class);
            assertThat(thrown.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<ClusterTicket> tickets() {
        Arbitrary<ClusterId> clusterIds =
                Arbitraries.bytes().array(byte[].class).ofSize(16).map(ClusterId::ofBytes);
        Arbitrary<Optional<byte[]>> secrets =
                Arbitraries.bytes().array(byte[].class).ofSize(32).optional();
        Arbitrary<List<TicketPeer>> peers =
                peer().list().ofMinSize(1).ofMaxSize(16).uniqueElements(TicketPeer::nodeId);
        return Combinators.combine(clusterIds, secrets, peers).as(ClusterTicket::new);
    }

    private Arbitrary<TicketPeer> peer() {
        Arbitrary<NodeId> ids =
                Arbitraries.bytes().array(byte[].class).ofSize(32).map(NodeId::ofBytes);
        Arbitrary<List<InetSocketAddress>> addresses =
                address().list().ofMinSize(1).ofMaxSize(8).uniqueElements();
        return Combinators.combine(ids, addresses).as(TicketPeer::new);
    }

    private Arbitrary<InetSocketAddress> address() {
        Arbitrary<byte[]> ip = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofSize(4),
                Arbitraries.bytes().array(byte[].class).ofSize(16));
        return Combinators.combine(ip, Arbitraries.integers().between(1, 65535)).as((bytes, port) -> {
            try {
                return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        });
    }
}
