package dev.aspen.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aspen.consensus.RealThreadsRaftGroupTest.ListStateMachine;
import dev.aspen.consensus.codec.RaftCodec;
import dev.aspen.consensus.sim.SimCluster;
import dev.aspen.consensus.store.DurableRaftStore;
import dev.aspen.consensus.store.StoreOptions;
import io.microraft.model.message.RaftMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole group on real threads and {@link DurableRaftStore}s, with every message through the
 * Kryo codec: stopped entirely and restarted from disk, it still holds every acknowledged command
 * (including ones covered by a snapshot) and keeps committing.
 */
class DurableRestartTest {
    private static final RaftCodec CODEC = new RaftCodec();
    private static final List<NodeEndpoint> MEMBERS =
            List.of(SimCluster.endpoint(0), SimCluster.endpoint(1), SimCluster.endpoint(2));

    @TempDir
    Path dir;

    private final Map<NodeEndpoint, RaftGroup> groups = new ConcurrentHashMap<>();
    private final Map<NodeEndpoint, DurableRaftStore> stores = new ConcurrentHashMap<>();
    private final Map<NodeEndpoint, ListStateMachine> machines = new ConcurrentHashMap<>();

    private final RaftTransport transport = new RaftTransport() {
        @Override
        public void send(NodeEndpoint target, RaftMessage message) {
            RaftGroup group = groups.get(target);
            if (group != null) {
                group.handle((RaftMessage) CODEC.decode(CODEC.encode(message)));
            }
        }

        @Override
        public boolean isReachable(NodeEndpoint endpoint) {
            return groups.containsKey(endpoint);
        }
    };

    private void startAll() throws Exception {
        RaftGroupConfig config =
                RaftGroupConfig.builder().commitCountToTakeSnapshot(50).build();
        for (NodeEndpoint member : MEMBERS) {
            DurableRaftStore store = DurableRaftStore.open(
                    dir.resolve("node-" + MEMBERS.indexOf(member)), CODEC, StoreOptions.defaults());
            var machine = new ListStateMachine();
            RaftGroup.Builder builder = RaftGroup.builder("durable", member)
                    .config(config)
                    .stateMachine(machine)
                    .transport(transport)
                    .store(store);
            stores.put(member, store);
            machines.put(member, machine);
            groups.put(member, store.restoredState().map(builder::restart).orElseGet(() -> builder.startNew(MEMBERS)));
        }
    }

    private void stopAll() throws Exception {
        for (RaftGroup group : groups.values()) {
            group.terminate().get(10, TimeUnit.SECONDS);
        }
        groups.clear();
        for (DurableRaftStore store : stores.values()) {
            store.close();
        }
        stores.clear();
    }

    private void replicate(int from, int to) {
        for (int i = from; i < to; i++) {
            byte[] command = ("c" + i).getBytes(StandardCharsets.UTF_8);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                RaftGroup leader = groups.values().stream()
                        .filter(g -> g.report().join().role() == RaftGroupReport.Role.LEADER)
                        .findFirst()
                        .orElseThrow();
                leader.replicate(command).get(10, TimeUnit.SECONDS);
                return true;
            });
        }
    }

    @Test
    void wholeGroupRestartsFromDiskWithEveryAcknowledgedCommand() throws Exception {
        startAll();
        try {
            replicate(0, 120);
            stopAll();
            startAll();
            replicate(120, 140);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 140; i++) {
                expected.add("c" + i);
            }
            for (ListStateMachine machine : machines.values()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> machine.applied.size() == 140);
                assertThat(machine.applied).containsExactlyElementsOf(expected);
            }
            for (RaftGroup group : groups.values()) {
                assertThat(group.report().get(5, TimeUnit.SECONDS).snapshotIndex())
                        .as("the restart went through a snapshot")
                        .isPositive();
            }
        } finally {
            stopAll();
        }
    }
}
