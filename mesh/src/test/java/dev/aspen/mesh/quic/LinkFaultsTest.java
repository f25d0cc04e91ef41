package dev.aspen.mesh.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.log.NullLogger;

/** The fault switch on real QUIC endpoints on loopback. */
class LinkFaultsTest {
    private static final ClusterKey KEY = Cookie.of("faults-test").clusterKey();
    private static final String ECHO = "aspen/echo/1";
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int MAX_FRAME = 64 * 1024;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void kwikThreadsMayThrow() {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    /** An endpoint that serves an echo protocol and dials, with {@code faults} when not null. */
    private QuicEndpoint node(NodeIdentity identity, LinkFaults faults) throws IOException {
        var config = QuicConfig.builder()
                .maxFrameBytes(MAX_FRAME)
                .connectTimeout(Duration.ofSeconds(1))
                .handshakeTimeout(Duration.ofSeconds(2))
                .idleTimeout(Duration.ofSeconds(2));
        if (faults != null) {
            config.linkFaults(faults);
        }
        return track(QuicEndpoint.start(
                config.build(), identity, KEY, List.of(new Protocol(ECHO, peer -> true, LinkFaultsTest::echo))));
    }

    private static void echo(NodeId peer, QuicStream stream) throws IOException {
        OutputStream out = stream.getOutputStream();
        byte[] frame;
        while ((frame = Frames.read(stream.getInputStream(), MAX_FRAME)) != null) {
            Frames.write(out, frame);
        }
        out.close();
    }

    private static String roundTrip(PeerConnection connection, String text) throws IOException {
        QuicStream stream = connection.openStream();
        Frames.write(stream.getOutputStream(), text.getBytes(StandardCharsets.UTF_8));
        byte[] reply = Frames.read(stream.getInputStream(), MAX_FRAME);
        stream.getOutputStream().close();
        return reply == null ? null : new String(reply, StandardCharsets.UTF_8);
    }

    @Test
    void aBlockedPeerCannotBeDialedUntilHealedWhileItsOwnDialsStillWork() throws Exception {
        LinkFaults faults = new LinkFaults();
        NodeIdentity aId = NodeIdentity.generate();
        NodeIdentity bId = NodeIdentity.generate();
        QuicEndpoint a = node(aId, faults);
        QuicEndpoint b = node(bId, null);

        faults.block(b.localAddress());

        assertThatThrownBy(() -> a.connect(bId.nodeId(), b.localAddress(), ECHO))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot connect to node " + bId.nodeId());
        assertThat(faults.dropped()).isPositive();
        // One way only: b dials from an ephemeral port a does not block, and a answers from its own.
        PeerConnection fromB = track(b.connect(aId.nodeId(), a.localAddress(), ECHO));
        assertThat(roundTrip(fromB, "b to a")).isEqualTo("b to a");

        assertThat(faults.heal(b.localAddress())).isTrue();
        PeerConnection fromA = track(a.connect(bId.nodeId(), b.localAddress(), ECHO));
        assertThat(roundTrip(fromA, "a to b")).isEqualTo("a to b");
    }

    @Test
    void anOpenConnectionGoesSilentAndEndsWhenItsPeerIsBlocked() throws Exception {
        LinkFaults faults = new LinkFaults();
        NodeIdentity bId = NodeIdentity.generate();
        QuicEndpoint a = node(NodeIdentity.generate(), faults);
        QuicEndpoint b = node(bId, null);
        PeerConnection connection = track(a.connect(bId.nodeId(), b.localAddress(), ECHO));
        assertThat(roundTrip(connection, "before")).isEqualTo("before");

        faults.block(b.localAddress());
        long droppedBefore = faults.dropped();
        var call = CompletableFuture.supplyAsync(() -> {
            try {
                return roundTrip(connection, "during");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });

        // No answer gets through; the idle timeout (2 s) then ends the connection and the call.
        await().atMost(Duration.ofSeconds(20)).until(call::isDone);
        assertThat(call).satisfiesAnyOf(done -> assertThat(done).isCompletedExceptionally(), done -> assertThat(done)
                .isCompletedWithValue(null));
        assertThat(faults.dropped()).isGreaterThan(droppedBefore);
        await().atMost(Duration.ofSeconds(10)).until(() -> !connection.isConnected());
    }

    @Test
    void theServerDropsDatagramsFromABlockedAddress() throws Exception {
        LinkFaults faults = new LinkFaults();
        NodeIdentity serverId = NodeIdentity.generate();
        QuicEndpoint server = node(serverId, faults);
        DatagramSocket fixed = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        int port = fixed.getLocalPort();
        faults.block(new InetSocketAddress(LOOPBACK, port));

        assertThatThrownBy(() -> dialFrom(fixed, serverId.nodeId(), server.localAddress()))
                .isInstanceOf(IOException.class);
        assertThat(faults.dropped()).isPositive();

        faults.healAll();
        assertThat(faults.blocked()).isEmpty();
        // Kwik closes a failed dial's socket in its own time; close it now. The port is released
        // only once Kwik's receiver thread leaves its blocked receive, which a busy machine delays.
        fixed.close();
        var samePort = new AtomicReference<DatagramSocket>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try {
                samePort.set(new DatagramSocket(new InetSocketAddress(LOOPBACK, port)));
                return true;
            } catch (java.net.BindException stillHeld) {
                return false;
            }
        });
        QuicClientConnection healed = dialFrom(samePort.get(), serverId.nodeId(), server.localAddress());
        assertThat(healed.isConnected()).isTrue();
        healed.close();
    }

    /** A bare Kwik dial (TLS only, no admission) from {@code socket}. */
    private static QuicClientConnection dialFrom(DatagramSocket socket, NodeId server, InetSocketAddress address)
            throws IOException {
        QuicClientConnection connection = QuicClientConnection.newBuilder()
                .host(server.toString())
                .proxy(address.getAddress().getHostAddress())
                .port(address.getPort())
                .applicationProtocol(ECHO)
                .customTrustManager(new PinningTrustManager(server))
                .connectTimeout(Duration.ofSeconds(1))
                .socketFactory(serverAddress -> socket)
                .logger(new NullLogger())
                .build();
        try {
            connection.connect();
        } catch (IOException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    @Test
    void blockedAddressesAreValidatedBoundedAndListedInOrder() {
        LinkFaults faults = new LinkFaults();
        assertThatThrownBy(() -> faults.block(InetSocketAddress.createUnresolved("nowhere.invalid", 7000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unresolved");
        assertThatThrownBy(() -> faults.block(new InetSocketAddress(LOOPBACK, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port other than 0");
        assertThatThrownBy(() -> faults.block(new InetSocketAddress(7000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("specific IP");

        faults.block(new InetSocketAddress(LOOPBACK, 7002));
        faults.block(new InetSocketAddress(LOOPBACK, 7001));
        faults.block(new InetSocketAddress(LOOPBACK, 7001));
        assertThat(faults.blocked())
                .containsExactly(new InetSocketAddress(LOOPBACK, 7001), new InetSocketAddress(LOOPBACK, 7002));
        assertThat(faults.heal(new InetSocketAddress(LOOPBACK, 7003))).isFalse();

        for (int port = 1; faults.blocked().size() < LinkFaults.MAX_BLOCKED; port++) {
            faults.block(new InetSocketAddress(LOOPBACK, 10_000 + port));
        }
        assertThatThrownBy(() -> faults.block(new InetSocketAddress(LOOPBACK, 9999)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(LinkFaults.MAX_BLOCKED + " addresses are blocked already");
        faults.block(new InetSocketAddress(LOOPBACK, 7001)); // already blocked: still fine at the limit
    }
}
