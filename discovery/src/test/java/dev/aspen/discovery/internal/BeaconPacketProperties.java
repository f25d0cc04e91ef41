package dev.aspen.discovery.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.tickets.Cookie;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

class BeaconPacketProperties {
    private final Cookie cookie = Cookie.of("beacon properties");

    @Property(tries = 500)
    void arbitraryDatagramsAreDroppedWithAReason(@ForAll @Size(max = 300) byte[] datagram) {
        try {
            BeaconPacket.decode(datagram, cookie.clusterId(), cookie.clusterKey());
            throw new AssertionError("accepted a random datagram");
        } catch (BeaconRejectedException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 300)
    void flippingAnyBitOfAValidBeaconIsDetected(@ForAll byte position, @ForAll byte bit) {
        byte[] nonce = new byte[BeaconPacket.NONCE_BYTES];
        var packet = new BeaconPacket(
                cookie.clusterId(),
                dev.aspen.tickets.NodeId.ofBytes(new byte[32]),
                42,
                nonce,
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 7000));
        byte[] bytes = packet.encode(cookie.clusterKey());
        bytes[Math.floorMod(position, bytes.length)] ^= (byte) (1 << Math.floorMod(bit, 8));
        try {
            BeaconPacket.decode(bytes, cookie.clusterId(), cookie.clusterKey());
            throw new AssertionError("accepted a corrupted beacon");
        } catch (BeaconRejectedException e) {
            assertThat(e.reason()).isNotNull();
        }
    }
}
