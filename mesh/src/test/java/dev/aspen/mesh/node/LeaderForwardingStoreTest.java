package dev.aspen.mesh.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvException;
import dev.aspen.kv.PutResponse;
import dev.aspen.tickets.NodeId;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Forwarding to the leader, and what happens to calls while a crashed leader is replaced. */
class LeaderForwardingStoreTest {
    private static final NodeId OLD = NodeId.ofBytes(new byte[NodeId.LENGTH]);
    private static final NodeId NEW = NodeId.ofBytes(filled((byte) 1));
    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

    private static byte[] filled(byte value) {
        byte[] bytes = new byte[NodeId.LENGTH];
        java.util.Arrays.fill(bytes, value);
        return bytes;
    }

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    /** The leader this node's Raft names; local calls fail with not_leader naming it. */
    private final AtomicReference<NodeId> raftLeader = new AtomicReference<>(OLD);

    private final Map<NodeId, AtomicInteger> forwarded = new ConcurrentHashMap<>();
    private final Map<NodeId, Supplier<CompletableFuture<PutResponse>>> answers = new ConcurrentHashMap<>();

    private final LeaderForwardingStore store = new LeaderForwardingStore(
            putOnly(() -> CompletableFuture.failedFuture(
                    KvException.notLeader(raftLeader.get().toString()))),
            new LeaderForwardingStore.Leaders() {
                @Override
                public KeyValueStore to(NodeId leader) {
                    return putOnly(() -> {
                        forwarded
                                .computeIfAbsent(leader, l -> new AtomicInteger())
                                .incrementAndGet();
                        return answers.get(leader).get();
                    });
                }

                @Override
                public Optional<NodeId> known() {
                    return Optional.of(raftLeader.get());
                }
            },
            timers);

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    /** A store whose put answers with {@code put}; every other method is unused here. */
    private static KeyValueStore putOnly(Supplier<CompletableFuture<PutResponse>> put) {
        return (KeyValueStore) Proxy.newProxyInstance(
                KeyValueStore.class.getClassLoader(), new Class<?>[] {KeyValueStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("put")) {
                        return put.get();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private CompletableFuture<PutResponse> put() {
        return store.put(KEY, KEY, 0, false);
    }

    private static KvException failureOf(CompletableFuture<?> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(KvException.class);
            return (KvException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the call did not fail in time", e);
        }
        throw new AssertionError("the call succeeded");
    }

    @Test
    void forwardsToTheLeaderRaftNames() throws Exception {
        answers.put(OLD, () -> CompletableFuture.completedFuture(new PutResponse(7, Optional.empty())));
        assertThat(put().get(5, TimeUnit.SECONDS).revision()).isEqualTo(7);
        assertThat(forwarded.get(OLD)).hasValue(1);
    }

    @Test
    void afterTheLeaderStopsAnsweringCallsWaitForTheNextLeaderInsteadOfFollowingTheOldOne() throws Exception {
        answers.put(OLD, () -> CompletableFuture.failedFuture(KvException.unreachable("no response within 2000 ms")));
        answers.put(NEW, () -> CompletableFuture.completedFuture(new PutResponse(9, Optional.empty())));

        assertThat(failureOf(put()).unreachable()).isTrue(); // the call in flight to the crashed leader
        CompletableFuture<PutResponse> held = put(); // Raft still names the old leader
        assertThat(held).isNotDone();

        raftLeader.set(NEW); // the election is over
        assertThat(held.get(5, TimeUnit.SECONDS).revision()).isEqualTo(9);
        assertThat(forwarded.get(OLD)).as("nothing more sent into the silence").hasValue(1);
        assertThat(forwarded.get(NEW)).hasValue(1);
    }

    @Test
    void aCallWaitsForTheNextLeaderOnlySoLongThenTheOldLeaderIsTriedAgain() {
        answers.put(OLD, () -> CompletableFuture.failedFuture(KvException.unreachable("connection lost")));
        failureOf(put());

        CompletableFuture<PutResponse> held = put();
        await().atMost(LeaderForwardingStore.HOLD.plusSeconds(5)).until(held::isDone);
        KvException e = failureOf(held);
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains("leader " + OLD + " stopped answering", "within 4 s");
        assertThat(forwarded.get(OLD)).hasValue(1);

        // Raft still names it once the hold ran out: presumed dead no longer, the next call goes there.
        answers.put(OLD, () -> CompletableFuture.completedFuture(new PutResponse(3, Optional.empty())));
        assertThat(put().join().revision()).isEqualTo(3);
        assertThat(forwarded.get(OLD)).hasValue(2);
    }

    @Test
    void anAnswerFromTheLeaderIsNotSilence() {
        answers.put(OLD, () -> CompletableFuture.failedFuture(KvException.of(ErrorCode.UNAVAILABLE, "disk full")));
        for (int i = 0; i < 2; i++) {
            assertThat(failureOf(put()).getMessage()).contains("disk full");
        }
        assertThat(forwarded.get(OLD)).as("both calls forwarded").hasValue(2);
    }
}
