package dev.aspen.mesh.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aspen.consensus.RaftGroupConfig;
import dev.aspen.kv.KvException;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.wire.KvWire;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.quic.PeerConnection;
import dev.aspen.mesh.quic.Protocol;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.mesh.quic.QuicEndpoint;
import dev.aspen.mesh.rpc.RpcClient;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.Cookie;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.kwik.core.QuicStream;

/** Garbage on each ALPN of a real replica: the stream dies, the node keeps serving and loses nothing. */
class ReplicaNodeFuzzTest {
    static {
        // Kwik sometimes throws inside its own threads when a connection ends (a NullPointerException
        // in ServerConnectorImpl.closed); that is not what these tests check.
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    private static final ClusterKey KEY = Cookie.of("fuzz").clusterKey();

    @Test
    void garbageOnEveryProtocolLeavesTheNodeCommittingAndLosesNothing(@TempDir Path dir) throws Exception {
        NodeIdentity self = NodeIdentity.generate();
        NodeIdentity attacker = NodeIdentity.generate();
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        try (ReplicaNode node = ReplicaNode.start(new ReplicaNode.Settings(
                        dir,
                        self,
                        KEY,
                        "kv",
                        List.of(self.nodeId()),
                        id -> List.of(),
                        QuicConfig.builder().maxFrameBytes(1 << 20).build(),
                        RaftGroupConfig.defaults()));
                QuicEndpoint endpoint = QuicEndpoint.start(QuicConfig.builder().build(), attacker, KEY, List.of())) {
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> node.kv().put(b("k"), b("v")).get(5, TimeUnit.SECONDS) != null);
            var random = new Random(1234);
            // The client ALPN admits any holder of the cluster key; the Raft ALPN refuses non-members
            // at admission, so garbage there never reaches a decoder (QuicEndpointTest covers that).
            try (PeerConnection connection = endpoint.connect(self.nodeId(), node.address(), Protocol.CLIENT_ALPN)) {
                for (byte[] attack : attacks(random)) {
                    QuicStream stream = connection.openStream();
                    stream.getOutputStream().write(attack);
                    stream.getOutputStream().close();
                }
            }
            // Well-formed frames with garbage inside reach the request decoder: it answers with an error value.
            try (RpcClient client = new RpcClient(
                    endpoint.connect(self.nodeId(), node.address(), Protocol.CLIENT_ALPN),
                    RpcClient.Settings.defaults(),
                    timers)) {
                for (int i = 0; i < 50; i++) {
                    byte[] garbage = new byte[1 + random.nextInt(64)];
                    random.nextBytes(garbage);
                    garbage[0] = 0;
                    Object reply = KvWire.decodeResponse(client.call(garbage).get(10, TimeUnit.SECONDS));
                    assertThat(reply).isInstanceOf(KvException.class);
                }
            }
            assertThat(node.kv().put(b("k2"), b("v2")).get(10, TimeUnit.SECONDS).revision())
                    .isEqualTo(2);
            assertThat(node.kv()
                            .get(b("k"), ReadConsistency.LINEARIZABLE)
                            .get(10, TimeUnit.SECONDS)
                            .kv())
                    .isPresent();
        } finally {
            timers.shutdownNow();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static List<byte[]> attacks(Random random) {
        List<byte[]> attacks = new ArrayList<>();
        attacks.add(new byte[] {1, (byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}); // 2 GiB length
        attacks.add(new byte[] {1, 0, 0x10, 0, 1}); // one byte over the 1 MiB limit
        attacks.add(new byte[] {1, 0, 0, 0, 10, 1, 2}); // truncated
        for (int i = 0; i < 10; i++) {
            byte[] noise = new byte[1 + random.nextInt(300)];
            random.nextBytes(noise);
            attacks.add(noise);
        }
        for (int i = 0; i < 10; i++) {
            byte[] body = new byte[random.nextInt(200)];
            random.nextBytes(body);
            byte[] frame = new byte[5 + body.length];
            frame[0] = 1;
            frame[4] = (byte) body.length;
            System.arraycopy(body, 0, frame, 5, body.length);
            attacks.add(frame); // a valid frame around a random rpc message
        }
        return attacks;
    }
}
