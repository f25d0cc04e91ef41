package dev.aspen.mesh.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.quic.LostSendStream;
import dev.aspen.mesh.quic.Protocol;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.mesh.quic.QuicEndpoint;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RpcTest {
    static {
        // Kwik sometimes throws inside its own threads when a connection ends (a NullPointerException
        // in ServerConnectorImpl.closed); that is not what these tests check.
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    private static final ClusterKey KEY = Cookie.of("rpc-test").clusterKey();
    private static final String ALPN = Protocol.CLIENT_ALPN;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final AtomicBoolean watchClosed = new AtomicBoolean();
    private QuicEndpoint server;
    private QuicEndpoint dialer;

    /** Echoes calls ("never" never answers, "boom" fails); a watch sends its request back 3 times then ends, unless "open". */
    private final RpcHandler handler = new RpcHandler() {
        @Override
        public CompletableFuture<byte[]> call(NodeId peer, byte[] request) {
            String text = new String(request, StandardCharsets.UTF_8);
            if (text.equals("never")) {
                return new CompletableFuture<>();
            }
            if (text.equals("boom")) {
                return CompletableFuture.failedFuture(new IllegalStateException("handler failed"));
            }
            return CompletableFuture.completedFuture(request);
        }

        @Override
        public AutoCloseable watch(NodeId peer, byte[] request, EventSink sink) {
            String text = new String(request, StandardCharsets.UTF_8);
            if (!text.equals("open")) {
                for (int i = 0; i < 3; i++) {
                    sink.event((text + i).getBytes(StandardCharsets.UTF_8));
                }
                sink.end("");
            }
            return () -> watchClosed.set(true);
        }
    };

    @BeforeEach
    void start() throws IOException {
        NodeIdentity serverIdentity = NodeIdentity.generate();
        server = track(QuicEndpoint.start(
                QuicConfig.builder().build(),
                serverIdentity,
                KEY,
                List.of(new Protocol(ALPN, p -> true, new RpcServer(handler, 1 << 20, 8)))));
        dialer = track(QuicEndpoint.start(QuicConfig.builder().build(), NodeIdentity.generate(), KEY, List.of()));
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        timers.shutdownNow();
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private RpcClient client(RpcClient.Settings settings) throws IOException {
        return track(new RpcClient(dialer.connect(server.nodeId(), server.localAddress(), ALPN), settings, timers));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keepsAnIdleConnectionOpenPastTheIdleTimeout() throws Exception {
        // The dialer asks for a 2 s idle timeout (QUIC uses the smaller of both sides' values).
        QuicEndpoint shortIdle = track(QuicEndpoint.start(
                QuicConfig.builder().idleTimeout(Duration.ofSeconds(2)).build(),
                NodeIdentity.generate(),
                KEY,
                List.of()));
        RpcClient client = track(new RpcClient(
                shortIdle.connect(server.nodeId(), server.localAddress(), ALPN),
                RpcClient.Settings.defaults(),
                timers));
        assertThat(client.call(bytes("first")).get(5, TimeUnit.SECONDS)).isEqualTo(bytes("first"));

        // Nothing to say for three idle timeouts: only the keep-alive keeps the connection.
        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(client::isConnected);
        assertThat(client.call(bytes("after")).get(5, TimeUnit.SECONDS)).isEqualTo(bytes("after"));
    }

    @Test
    void aServerThatAnswersNothingIsPresumedDeadLongBeforeTheCallTimesOut() throws Exception {
        // A server side that admits the connection, then never reads its stream: no reply, no echo.
        NodeIdentity wedgedId = NodeIdentity.generate();
        var holding = new java.util.concurrent.CountDownLatch(1);
        QuicEndpoint wedged = track(QuicEndpoint.start(
                QuicConfig.builder().build(), wedgedId, KEY, List.of(new Protocol(ALPN, p -> true, (peer, stream) -> {
                    try {
                        holding.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }))));
        track(holding::countDown);
        var settings = new RpcClient.Settings(16, Duration.ofSeconds(30), Duration.ofMillis(100), 1 << 20);
        RpcClient client =
                track(new RpcClient(dialer.connect(wedgedId.nodeId(), wedged.localAddress(), ALPN), settings, timers));

        // CONNECTION_LOST naming the nudges, not the 30 s TIMEOUT
        assertThatThrownBy(() -> client.call(bytes("anyone?")).get(20, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.kind()).isEqualTo(RpcException.Kind.CONNECTION_LOST);
                    assertThat(e.getMessage()).contains("no answer to " + RpcClient.DEAD_AFTER_NUDGES + " nudges");
                });
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    void pipelinedCallsGetTheirOwnResponses() throws Exception {
        RpcClient client = client(RpcClient.Settings.defaults());
        var futures = new ArrayList<CompletableFuture<byte[]>>();
        for (int i = 0; i < 8; i++) {
            futures.add(client.call(bytes("req-" + i)));
        }
        for (int i = 0; i < 8; i++) {
            assertThat(futures.get(i).get(10, TimeUnit.SECONDS))
                    .asString(StandardCharsets.UTF_8)
                    .isEqualTo("req-" + i);
        }
    }

    @Test
    void unansweredCallTimesOut() throws Exception {
        RpcClient client = client(new RpcClient.Settings(16, Duration.ofMillis(500), Duration.ofMillis(100), 1 << 20));
        assertThatThrownBy(() -> client.call(bytes("never")).join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.kind()).isEqualTo(RpcException.Kind.TIMEOUT));
        assertThat(client.call(bytes("after")).get(10, TimeUnit.SECONDS))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("after");
    }

    @Test
    void handlerFailureIsRefusedWithItsMessage() {
        RpcClient client;
        try {
            client = client(RpcClient.Settings.defaults());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThatThrownBy(() -> client.call(bytes("boom")).join())
                .cause()
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.kind()).isEqualTo(RpcException.Kind.REFUSED);
                    assertThat(e.getMessage()).isEqualTo("handler failed");
                });
    }

    @Test
    void serverRefusesBeyondItsInFlightLimit() throws Exception {
        RpcClient client = client(RpcClient.Settings.defaults());
        var stuck = new ArrayList<CompletableFuture<byte[]>>();
        for (int i = 0; i < 8; i++) {
            stuck.add(client.call(bytes("never")));
        }
        assertThatThrownBy(() -> client.call(bytes("one too many")).get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.kind()).isEqualTo(RpcException.Kind.REFUSED);
                    assertThat(e.getMessage()).contains("8 requests in flight");
                });
        assertThat(stuck).noneMatch(CompletableFuture::isDone);
    }

    @Test
    void clientRefusesBeyondItsInFlightLimit() throws Exception {
        RpcClient client = client(new RpcClient.Settings(2, Duration.ofSeconds(10), Duration.ofMillis(200), 1 << 20));
        client.call(bytes("never"));
        client.call(bytes("never"));
        assertThatThrownBy(() -> client.call(bytes("third")).join())
                .cause()
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.kind()).isEqualTo(RpcException.Kind.TOO_MANY_IN_FLIGHT));
    }

    @Test
    void watchDeliversEventsInOrderThenEnds() throws Exception {
        RpcClient client = client(RpcClient.Settings.defaults());
        var events = new CopyOnWriteArrayList<String>();
        RpcClient.Watch watch = client.watch(bytes("e"), e -> events.add(new String(e, StandardCharsets.UTF_8)));
        assertThat(watch.ended().get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(events).containsExactly("e0", "e1", "e2");
    }

    @Test
    void cancelledWatchClosesTheServerSide() throws Exception {
        RpcClient client = client(RpcClient.Settings.defaults());
        RpcClient.Watch watch = client.watch(bytes("open"), e -> {});
        await().atMost(Duration.ofSeconds(5)).during(Duration.ofMillis(100)).until(() -> !watch.ended()
                .isDone());
        watch.close();
        assertThat(watch.ended().get(10, TimeUnit.SECONDS)).isEqualTo("cancelled");
        assertThat(watchClosed).isTrue();
    }

    @Test
    void closingTheConnectionFailsOutstandingCallsAndClosesWatches() throws Exception {
        RpcClient client = client(RpcClient.Settings.defaults());
        CompletableFuture<byte[]> call = client.call(bytes("never"));
        RpcClient.Watch watch = client.watch(bytes("open"), e -> {});
        await().atMost(Duration.ofSeconds(5))
                .until(() -> client.call(bytes("x")).get(5, TimeUnit.SECONDS) != null);
        client.close();
        assertThatThrownBy(call::join).cause().isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.kind())
                .isEqualTo(RpcException.Kind.CONNECTION_LOST));
        assertThat(watch.ended()).isCompletedExceptionally();
        await().atMost(Duration.ofSeconds(20)).untilTrue(watchClosed);
    }

    @Test
    void aLostConnectionSaysWhyItEnded() throws Exception {
        RpcClient client = client(RpcClient.Settings.defaults());
        CompletableFuture<byte[]> call = client.call(bytes("never"));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> client.call(bytes("x")).get(5, TimeUnit.SECONDS) != null);
        server.close();
        assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.kind()).isEqualTo(RpcException.Kind.CONNECTION_LOST);
                    assertThat(e.getMessage()).contains("connection to " + server.nodeId() + " lost");
                    assertThat(e.getMessage()).contains("closed by the peer");
                });
    }

    @Test
    void watchdogRecoversAStalledRequest() throws Exception {
        var settings = new RpcClient.Settings(16, Duration.ofSeconds(10), Duration.ofMillis(200), 1 << 20);
        RpcClient client = track(new RpcClient(
                dialer.connect(server.nodeId(), server.localAddress(), ALPN), settings, timers, LostSendStream::new));
        byte[] reply = client.call(bytes("stalled")).get(10, TimeUnit.SECONDS);
        assertThat(reply).asString(StandardCharsets.UTF_8).isEqualTo("stalled");
        assertThat(client.nudges()).isGreaterThanOrEqualTo(1);
        assertThat(client.recoveries()).isEqualTo(1);
    }
}
