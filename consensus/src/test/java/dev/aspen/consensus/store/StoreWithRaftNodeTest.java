package dev.aspen.consensus.store;

import static dev.aspen.consensus.store.StoreFixtures.CODEC;
import static dev.aspen.consensus.store.StoreFixtures.endpoint;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aspen.consensus.NewTermOperation;
import dev.aspen.consensus.NodeEndpoint;
import io.microraft.RaftConfig;
import io.microraft.RaftNode;
import io.microraft.RaftRole;
import io.microraft.persistence.RestoredRaftState;
import io.microraft.statemachine.StateMachine;
import io.microraft.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store under a real MicroRaft node: its call pattern, snapshots, and a restart from disk. */
class StoreWithRaftNodeTest {
    private static final NodeEndpoint SELF = endpoint(9);
    private static final RaftConfig CONFIG = RaftConfig.newBuilder()
            .setLeaderHeartbeatPeriodSecs(1)
            .setLeaderHeartbeatTimeoutSecs(2)
            .setCommitCountToTakeSnapshot(10)
            .build();

    @TempDir
    Path dir;

    @Test
    void singleNodeGroupRestartsFromSnapshotAndLog() throws Exception {
        ListStateMachine first = new ListStateMachine();
        try (DurableRaftStore store = DurableRaftStore.open(dir, CODEC, StoreOptions.defaults())) {
            RaftNode node = RaftNode.newBuilder()
                    .setGroupId("group")
                    .setLocalEndpoint(SELF)
                    .setInitialGroupMembers(List.of(SELF))
                    .setConfig(CONFIG)
                    .setTransport(new NoTransport())
                    .setStateMachine(first)
                    .setStore(store)
                    .build();
            runCommands(node, 1, 25);
            node.terminate().get(10, TimeUnit.SECONDS);
        }
        assertThat(first.applied).hasSize(25);

        ListStateMachine second = new ListStateMachine();
        try (DurableRaftStore store = DurableRaftStore.open(dir, CODEC, StoreOptions.defaults())) {
            RestoredRaftState restored = store.restoredState().orElseThrow();
            assertThat(restored.getSnapshotEntry().getIndex()).isEqualTo(20);
            assertThat(restored.getLogEntries()).isNotEmpty();
            RaftNode node = RaftNode.newBuilder()
                    .setGroupId("group")
                    .setRestoredState(restored)
                    .setConfig(CONFIG)
                    .setTransport(new NoTransport())
                    .setStateMachine(second)
                    .setStore(store)
                    .build();
            runCommands(node, 26, 30);
            node.terminate().get(10, TimeUnit.SECONDS);
        }
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            expected.add("c" + i);
        }
        assertThat(second.applied).containsExactlyElementsOf(expected);
    }

    private static void runCommands(RaftNode node, int from, int to) throws Exception {
        node.start().get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> node.getReport().get().getResult().getRole() == RaftRole.LEADER);
        for (int i = from; i <= to; i++) {
            node.replicate(("c" + i).getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
        }
    }

    /** Applies commands to a list; snapshots it in two chunks. */
    private static final class ListStateMachine implements StateMachine {
        final List<String> applied = new CopyOnWriteArrayList<>();

        @Override
        public Object runOperation(long commitIndex, Object operation) {
            if (operation instanceof byte[] command) {
                applied.add(new String(command, UTF_8));
            }
            return applied.size();
        }

        @Override
        public void takeSnapshot(long commitIndex, Consumer<Object> chunks) {
            int half = applied.size() / 2;
            chunks.accept(String.join("\n", applied.subList(0, half)).getBytes(UTF_8));
            chunks.accept(
                    String.join("\n", applied.subList(half, applied.size())).getBytes(UTF_8));
        }

        @Override
        public void installSnapshot(long commitIndex, List<Object> chunks) {
            applied.clear();
            for (Object chunk : chunks) {
                String text = new String((byte[]) chunk, UTF_8);
                if (!text.isEmpty()) {
                    applied.addAll(Arrays.asList(text.split("\n")));
                }
            }
        }

        @Override
        public Object getNewTermOperation() {
            return NewTermOperation.INSTANCE;
        }
    }

    /** A one-member group never sends messages. */
    private static final class NoTransport implements Transport {
        @Override
        public void send(io.microraft.RaftEndpoint target, io.microraft.model.message.RaftMessage message) {
            throw new AssertionError("a one-member group sent " + message + " to " + target);
        }

        @Override
        public boolean isReachable(io.microraft.RaftEndpoint endpoint) {
            return false;
        }
    }
}
