package dev.aspen.mesh.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvException;
import dev.aspen.kv.PutResponse;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.quic.Protocol;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.mesh.quic.QuicEndpoint;
import dev.aspen.mesh.rpc.RpcClient;
import dev.aspen.mesh.rpc.RpcServer;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.TicketPeer;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A call refused with {@code not_leader} and no leader named (an election under way) waits for the election. */
class AspenClientElectionTest {
    static {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    private static final ClusterKey KEY = Cookie.of("election-test").clusterKey();
    private static final byte[] KEY_BYTES = "k".getBytes(StandardCharsets.UTF_8);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    /** A client of one node whose store refuses the first {@code refusals} puts with not_leader (leader unknown). */
    private AspenClient clientOfANodeWithoutLeaderFor(int refusals) throws Exception {
        KeyValueStore store = (KeyValueStore) Proxy.newProxyInstance(
                KeyValueStore.class.getClassLoader(), new Class<?>[] {KeyValueStore.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("put")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    int call = calls.incrementAndGet();
                    return call <= refusals
                            ? CompletableFuture.failedFuture(KvException.notLeader(null))
                            : CompletableFuture.completedFuture(new PutResponse(call, Optional.empty()));
                });
        NodeIdentity identity = NodeIdentity.generate();
        QuicEndpoint node = QuicEndpoint.start(
                QuicConfig.builder().build(),
                identity,
                KEY,
                List.of(new Protocol(
                        Protocol.CLIENT_ALPN,
                        peer -> true,
                        new RpcServer(new KvService(store, (leader, request) -> Optional.empty()), 1 << 20, 64))));
        closeables.add(node);
        AspenClient client = AspenClient.connect(
                List.of(new TicketPeer(identity.nodeId(), List.of(node.localAddress()))),
                KEY,
                RpcClient.Settings.defaults());
        closeables.add(client);
        return client;
    }

    @Test
    void aWriteDuringAnElectionWaitsForItInsteadOfFailing() throws Exception {
        // Ten refusals: more than the client's attempts, fewer than its election wait (100 ms apart, 5 s).
        AspenClient client = clientOfANodeWithoutLeaderFor(10);
        assertThat(client.put(KEY_BYTES, KEY_BYTES).join().revision()).isEqualTo(11);
    }

    @Test
    void theWaitIsBounded() throws Exception {
        AspenClient client = clientOfANodeWithoutLeaderFor(Integer.MAX_VALUE);
        assertThatThrownBy(() -> client.put(KEY_BYTES, KEY_BYTES).join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        KvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_LEADER));
        assertThat(calls.get()).as("asked about every 100 ms for 5 s").isBetween(20, 60);
    }
}
