package dev.aspen.mesh.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.Cookie;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SendStall} on a real QUIC stream, with Kwik put into the state its lost-send race leaves
 * behind: data in the send buffer and no send request queued. The test holds Kwik's request count
 * at 1 while writing (a request Kwik believes queued but is not), then sets it back to 0.
 */
class SendStallTest {
    private static final ClusterKey KEY = Cookie.of("send-stall-test").clusterKey();
    private static final String SINK = "aspen/sink/1";

    private final AtomicLong received = new AtomicLong();
    private QuicEndpoint receiver;
    private QuicEndpoint sender;
    private PeerConnection connection;

    @BeforeEach
    void connect() throws Exception {
        NodeIdentity receiverId = NodeIdentity.generate();
        Protocol sink = new Protocol(SINK, peer -> true, (peer, stream) -> {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = stream.getInputStream().read(buffer)) >= 0) {
                received.addAndGet(n);
            }
        });
        receiver = QuicEndpoint.start(QuicConfig.builder().build(), receiverId, KEY, List.of(sink));
        sender = QuicEndpoint.start(QuicConfig.builder().build(), NodeIdentity.generate(), KEY, List.of());
        connection = sender.connect(receiverId.nodeId(), receiver.localAddress(), SINK);
    }

    @AfterEach
    void close() {
        connection.close();
        sender.close();
        receiver.close();
    }

    private static AtomicInteger requestsQueued(OutputStream out) throws ReflectiveOperationException {
        Field field = out.getClass().getSuperclass().getName().endsWith("StreamOutputStreamImpl")
                ? out.getClass().getSuperclass().getDeclaredField("sendRequestsQueued")
                : out.getClass().getDeclaredField("sendRequestsQueued");
        field.setAccessible(true);
        return (AtomicInteger) field.get(out);
    }

    @Test
    void releaseSendsDataLeftWithoutASendRequest() throws Exception {
        OutputStream out = connection.openStream().getOutputStream();
        AtomicInteger requests = requestsQueued(out);
        requests.set(1);
        out.write(new byte[3000]); // buffered; Kwik queues no request, believing one is queued
        requests.set(0);

        assertThat(SendStall.stalled(out)).isTrue();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> received.get() == 0);

        long before = SendStall.releases();
        assertThat(SendStall.release(out)).isTrue();
        // the queued request can lose the same race (then the data is stalled again): release until sent
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            SendStall.release(out);
            return received.get() == 3000;
        });
        assertThat(SendStall.releases()).isGreaterThan(before);
        assertThat(SendStall.stalled(out)).isFalse();
        assertThat(SendStall.release(out)).isFalse();
    }

    @Test
    void aWriterBlockedOnAFullBufferOfStuckDataIsReleasedByTheWatchdog() throws Exception {
        OutputStream out = connection.openStream().getOutputStream();
        AtomicInteger requests = requestsQueued(out);
        requests.set(1);
        byte[] big = new byte[4 * 1024 * 1024]; // many times Kwik's send buffer: the write blocks
        var writer = new Thread[1];
        CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
            writer[0] = Thread.currentThread();
            try {
                SendStall.write(out, big);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5))
                .until(() -> writer[0] != null && writer[0].getState() == Thread.State.WAITING);
        assertThat(received.get()).isZero();
        requests.set(0); // the phantom request is gone: nothing will ever drain the full buffer

        written.get(20, java.util.concurrent.TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.get() == big.length);
    }
}
