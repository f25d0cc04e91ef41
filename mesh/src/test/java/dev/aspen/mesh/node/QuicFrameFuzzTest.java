package dev.aspen.mesh.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.kv.KeyRange;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.wire.KvRequest;
import dev.aspen.kv.wire.KvWire;
import dev.aspen.mesh.client.AspenClient;
import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.quic.PeerConnection;
import dev.aspen.mesh.quic.Protocol;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.mesh.quic.QuicEndpoint;
import dev.aspen.mesh.rpc.RpcClient;
import dev.aspen.tickets.Cookie;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.kwik.core.QuicStream;

/**
 * Seeded bad frames on every ALPN of a real node from a dialer that holds the cluster key (so it is
 * admitted and its bytes reach the decoders): random noise, oversized and impossible length
 * prefixes, truncated frames, well-framed random payloads, and mutated valid requests. Each stream
 * is closed by the node and counted in {@code aspen_quic_malformed_frames_total}; the node keeps
 * serving a correct client, and no acknowledged value changes.
 */
class QuicFrameFuzzTest {
    private static final String COOKIE = "quic-frame-fuzz";
    private static final long SEED = 20261122L;
    private static final Pattern MALFORMED = Pattern.compile("(?m)^aspen_quic_malformed_frames_total (\\d+)");

    @BeforeAll
    static void kwikThreadsMayThrow() {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    @Test
    void badFramesOnEveryProtocolAreCountedAndChangeNothing(@TempDir Path dir) throws Exception {
        Random random = new Random(SEED);
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        NodeConfig config = NodeConfig.builder(dir)
                .cookie(COOKIE)
                .bootstrapExpect(1)
                .lan(false)
                .quicPort(0)
                .gossipPort(0)
                .httpPort(0)
                .build();
        try (AspenNode node = AspenNode.start(config);
                QuicEndpoint attacker = QuicEndpoint.start(
                        QuicConfig.builder().build(),
                        NodeIdentity.generate(),
                        Cookie.of(COOKIE).clusterKey(),
                        List.of())) {
            Map<String, String> acknowledged = new TreeMap<>();
            for (int i = 0; i < 20; i++) {
                String key = "key-" + i;
                node.kv().put(b(key), b("value-" + i)).get(30, TimeUnit.SECONDS);
                acknowledged.put(key, "value-" + i);
            }
            for (String alpn : List.of(Protocol.RAFT_ALPN, Protocol.CLIENT_ALPN, Protocol.ADMIN_ALPN)) {
                long before = malformedFrames(node);
                List<byte[]> attacks = framingAttacks(random);
                try (PeerConnection connection = attacker.connect(node.nodeId(), node.quicAddress(), alpn)) {
                    for (byte[] attack : attacks) {
                        QuicStream stream = connection.openStream();
                        stream.getOutputStream().write(attack);
                        stream.getOutputStream().close();
                    }
                    // The connection stays open until the node has read every stream: closing it
                    // earlier would end unread streams with a connection error instead.
                    Awaitility.await(alpn).atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                                    malformedFrames(node) - before)
                            .as("streams of %s closed as malformed", alpn)
                            .isEqualTo(attacks.size()));
                }
            }
            // Well-framed requests with random or mutated contents reach the request decoders, which
            // answer with an error value (or, for a mutation that is still a valid request, run it).
            for (String alpn : List.of(Protocol.CLIENT_ALPN, Protocol.ADMIN_ALPN)) {
                try (RpcClient client = new RpcClient(
                        attacker.connect(node.nodeId(), node.quicAddress(), alpn),
                        RpcClient.Settings.defaults(),
                        timers)) {
                    for (byte[] request : requestAttacks(random)) {
                        assertThat(client.call(request)
                                        .handle((reply, failure) -> true)
                                        .get(10, TimeUnit.SECONDS))
                                .as("%s answers or fails each request, never hangs", alpn)
                                .isTrue();
                    }
                }
            }
            try (AspenClient client = AspenClient.connect(node.ticket(), COOKIE)) {
                client.put(b("after"), b("fuzz")).get(10, TimeUnit.SECONDS);
                Map<String, String> found = new TreeMap<>();
                client.scan(KeyRange.prefix(b("key-")), 0, false, ReadConsistency.LINEARIZABLE)
                        .get(10, TimeUnit.SECONDS)
                        .kvs()
                        .forEach(kv -> found.put(new String(kv.key(), UTF_8), new String(kv.value(), UTF_8)));
                assertThat(found).isEqualTo(acknowledged);
            }
        } finally {
            timers.shutdownNow();
        }
    }

    /** Streams whose framing is wrong: each must be closed and counted as malformed. */
    private static List<byte[]> framingAttacks(Random random) {
        List<byte[]> attacks = new ArrayList<>();
        attacks.add(frameHeader(1, 0x7fff_ffff)); // 2 GiB length prefix, nothing after it
        attacks.add(frameHeader(1, -1)); // a length that is negative as a signed int
        attacks.add(frameHeader(1, (16 << 20) + 1)); // one byte over the default frame limit
        attacks.add(concat(frameHeader(1, 10), new byte[] {1, 2})); // truncated payload
        attacks.add(new byte[] {1, 0, 0}); // truncated header
        attacks.add(concat(frameHeader(7, 4), new byte[] {1, 2, 3, 4})); // unknown framing version
        for (int i = 0; i < 15; i++) {
            byte[] noise = new byte[1 + random.nextInt(300)];
            random.nextBytes(noise);
            noise[0] = (byte) (2 + random.nextInt(250)); // never framing version 1
            attacks.add(noise);
        }
        for (int i = 0; i < 15; i++) {
            byte[] payload = new byte[1 + random.nextInt(200)];
            random.nextBytes(payload);
            attacks.add(concat(frameHeader(1, payload.length + 1 + random.nextInt(100)), payload)); // short
        }
        return attacks;
    }

    /** Request payloads (the RPC client frames them): random bytes and mutated valid requests. */
    private static List<byte[]> requestAttacks(Random random) {
        List<byte[]> requests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] noise = new byte[random.nextInt(64)];
            random.nextBytes(noise);
            requests.add(noise);
        }
        byte[] valid = KvWire.encodeRequest(new KvRequest.Put(b("fuzz-target"), b("v"), 0, false));
        byte[] validTxn = KvWire.encodeRequest(
                new KvRequest.Txn(List.of(), List.of(new TxnOp.Put(b("fuzz-txn"), b("v"), 0, false)), List.of()));
        for (byte[] base : List.of(valid, validTxn)) {
            for (int i = 0; i < 20; i++) {
                byte[] mutated = base.clone();
                int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips; f++) {
                    mutated[random.nextInt(mutated.length)] ^= (byte) (1 << random.nextInt(8));
                }
                requests.add(mutated);
            }
            requests.add(java.util.Arrays.copyOf(base, base.length / 2)); // truncated
        }
        return requests;
    }

    private static byte[] frameHeader(int version, int length) {
        return ByteBuffer.allocate(5).put((byte) version).putInt(length).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static long malformedFrames(AspenNode node) throws IOException, InterruptedException {
        HttpResponse<String> metrics = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://" + node.httpAddress().getHostString() + ":"
                                                + node.httpAddress().getPort() + "/metrics"))
                                .timeout(java.time.Duration.ofSeconds(20))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        Matcher matcher = MALFORMED.matcher(metrics.body());
        assertThat(matcher.find())
                .as("/metrics has aspen_quic_malformed_frames_total")
                .isTrue();
        return Long.parseLong(matcher.group(1));
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }
}
