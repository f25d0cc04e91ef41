package dev.aspen.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.aspen.consensus.sim.SimCluster;
import io.microraft.model.message.RaftMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The group on its real executor threads, with an in-memory transport. */
class RealThreadsRaftGroupTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Records commands; thread-confined to its member's Raft thread, read via a copy. */
    static final class ListStateMachine implements ReplicatedStateMachine {
        final List<String> applied = new CopyOnWriteArrayList<>();
        private volatile long appliedIndex;

        @Override
        public Object apply(long index, byte[] command) {
            String text = new String(command, java.nio.charset.StandardCharsets.UTF_8);
            if (text.equals("boom")) {
                throw new IllegalStateException("disk full");
            }
            applied.add(text);
            appliedIndex = index;
            return text.length();
        }

        @Override
        public Object query(byte[] query) {
            return applied.size();
        }

        @Override
        public void takeSnapshot(long index, int maxChunkBytes, Consumer<byte[]> chunks) {
            chunks.accept(String.join("\n", applied).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public void installSnapshot(long index, List<byte[]> chunks) {
            applied.clear();
            String all = new String(chunks.get(0), java.nio.charset.StandardCharsets.UTF_8);
            if (!all.isEmpty()) {
                Collections.addAll(applied, all.split("\n"));
            }
            appliedIndex = index;
        }

        @Override
        public long appliedIndex() {
            return appliedIndex;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void threeNodesCommitAndTerminatePromptlyWithoutLeavingThreads() throws Exception {
        Map<NodeEndpoint, RaftGroup> groups = new ConcurrentHashMap<>();
        List<NodeEndpoint> members = List.of(SimCluster.endpoint(0), SimCluster.endpoint(1), SimCluster.endpoint(2));
        AtomicReference<RaftGroup> leader = new AtomicReference<>();
        Map<NodeEndpoint, ListStateMachine> machines = new ConcurrentHashMap<>();
        for (NodeEndpoint member : members) {
            ListStateMachine sm = new ListStateMachine();
            machines.put(member, sm);
            groups.put(
                    member,
                    RaftGroup.builder("real", member)
                            .stateMachine(sm)
                            .transport(new RaftTransport() {
                                @Override
                                public void send(NodeEndpoint target, RaftMessage message) {
                                    RaftGroup to = groups.get(target);
                                    if (to != null) {
                                        to.handle(message);
                                    }
                                }

                                @Override
                                public boolean isReachable(NodeEndpoint endpoint) {
                                    return groups.containsKey(endpoint);
                                }
                            })
                            .reportListener(r -> {
                                if (r.role() == RaftGroupReport.Role.LEADER) {
                                    leader.set(groups.get(r.localEndpoint()));
                                }
                            })
                            .startNew(members));
        }
        await().atMost(WAIT).until(() -> leader.get() != null);

        List<CompletableFuture<Result>> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            results.add(leader.get().replicate(bytes("cmd-" + i)));
        }
        for (int i = 0; i < results.size(); i++) {
            String command = "cmd-" + i;
            Result result = resultOrRetry(results.get(i), () -> leader.get().replicate(bytes(command)));
            assertThat(result.value()).isEqualTo(command.length());
            assertThat(result.index()).isPositive();
        }
        await().atMost(WAIT).until(() -> machines.values().stream()
                .allMatch(m ->
                        m.applied.size() == machines.get(members.get(0)).applied.size()));
        assertThat(machines.get(members.get(0)).applied)
                .containsAll(java.util.stream.IntStream.range(0, 50)
                        .mapToObj(i -> "cmd-" + i)
                        .toList())
                .containsExactlyElementsOf(machines.get(members.get(1)).applied)
                .containsExactlyElementsOf(machines.get(members.get(2)).applied);
        RaftGroupReport report = leader.get().report().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.role()).isEqualTo(RaftGroupReport.Role.LEADER);
        assertThat(report.followerMatchIndex()).hasSize(2);

        for (RaftGroup group : groups.values()) {
            group.terminate();
        }
        for (RaftGroup group : groups.values()) {
            group.terminated().get(5, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> raftThreads().isEmpty());
        assertThat(Thread.getAllStackTraces().keySet())
                .filteredOn(t -> t.getName().startsWith("aspen-raft-") && !t.isDaemon())
                .isEmpty();
    }

    @Test
    void stateMachineFailureTerminatesTheMember() throws Exception {
        NodeEndpoint self = SimCluster.endpoint(7);
        RaftGroup group = RaftGroup.builder("single", self)
                .stateMachine(new ListStateMachine())
                .transport(new RaftTransport() {
                    @Override
                    public void send(NodeEndpoint target, RaftMessage message) {}

                    @Override
                    public boolean isReachable(NodeEndpoint endpoint) {
                        return false;
                    }
                })
                .startNew(List.of(self));
        await().atMost(WAIT).until(() -> {
            try {
                return group.replicate(bytes("ok"))
                        .get(5, TimeUnit.SECONDS)
                        .value()
                        .equals(2);
            } catch (ExecutionException e) {
                return false;
            }
        });

        CompletableFuture<Result> boom = group.replicate(bytes("boom"));
        assertThatThrownBy(() -> boom.get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(RaftGroupException.class)
                .extracting(e -> ((RaftGroupException) e).code())
                .isEqualTo(RaftErrorCode.INTERNAL);
        group.terminated().get(5, TimeUnit.SECONDS);
        assertThat(group.isTerminated()).isTrue();
        assertThatThrownBy(() -> group.replicate(bytes("later")).get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(GroupTerminatedException.class);
    }

    /**
     * The result of {@code first}, or, if leadership moved meanwhile (a slow shared machine), of
     * the command resent through the new leader.
     */
    private static Result resultOrRetry(
            CompletableFuture<Result> first, java.util.function.Supplier<CompletableFuture<Result>> resend) {
        AtomicReference<CompletableFuture<Result>> attempt = new AtomicReference<>(first);
        AtomicReference<Result> result = new AtomicReference<>();
        await().pollDelay(Duration.ZERO).atMost(WAIT).until(() -> {
            try {
                result.set(attempt.get().get(5, TimeUnit.SECONDS));
                return true;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof NotLeaderException
                        || e.getCause() instanceof CannotReplicateException
                        || e.getCause() instanceof IndeterminateStateException)) {
                    throw e;
                }
                attempt.set(resend.get());
                return false;
            }
        });
        return result.get();
    }

    private static Set<Thread> raftThreads() {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("aspen-raft-real") && t.isAlive())
                .forEach(threads::add);
        return threads;
    }
}
