package dev.aspen.kv.replicated;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.ReplicatedStateMachine;
import dev.aspen.consensus.sim.History;
import dev.aspen.consensus.sim.SimCluster;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvConfig;
import dev.aspen.kv.KvStateMachine;
import dev.aspen.kv.RaftCommandLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Makes the {@link KvStateMachine} of every simulated node incarnation: one data directory per
 * node, kept across its restarts. A simulated crash leaves the old incarnation open; when the node
 * restarts, the old machine is closed (to release its mapped files) and its clean-shutdown marker
 * is deleted with probability {@code 1 - cleanRestartRate}, so the new incarnation sees either a
 * crash (maps discarded, applied index 0, the group replays) or a clean restart (maps reused).
 * Watch delivery runs on the calling thread: the simulator's only thread.
 */
final class KvSimNodes implements SimCluster.StateMachineFactory {
    /** The file {@link KvStateMachine#close()} writes (see kv/README.md, Snapshots and restart). */
    private static final String CLEAN_MARKER = "clean-shutdown";

    private final Path root;
    private final Random random;
    private final double cleanRestartRate;
    private final Map<NodeEndpoint, KvStateMachine> current = new LinkedHashMap<>();
    private final List<String> thrown = new ArrayList<>();
    private int incarnations;
    private int cleanRestarts;

    KvSimNodes(Path root, Random random, double cleanRestartRate) {
        this.root = root;
        this.random = random;
        this.cleanRestartRate = cleanRestartRate;
    }

    @Override
    public ReplicatedStateMachine create(NodeEndpoint node, History history) {
        Path dir = root.resolve(node.nodeId().toString());
        KvStateMachine previous = current.remove(node);
        if (previous != null) {
            previous.close();
            if (random.nextDouble() >= cleanRestartRate) {
                deleteMarker(dir);
            } else {
                cleanRestarts++;
            }
        }
        KvStateMachine machine = KvStateMachine.open(KvConfig.builder(dir)
                .maxKeys(1_000)
                .maxLeases(10_000)
                .largeValueBytes(4L * 1024 * 1024)
                .watchExecutor(Runnable::run)
                .build());
        current.put(node, machine);
        incarnations++;
        return new Guarded(node, machine);
    }

    /** The machine of {@code node}'s current incarnation. */
    KvStateMachine machine(SimCluster.Node node) {
        return current.get(node.endpoint());
    }

    /** Exceptions the machines threw to the Raft group (each one stops or stalls a node). */
    List<String> thrown() {
        return thrown;
    }

    /** Passes every call through, recording what the machine throws (MicroRaft may swallow it). */
    private final class Guarded implements ReplicatedStateMachine {
        private final NodeEndpoint node;
        private final KvStateMachine machine;

        Guarded(NodeEndpoint node, KvStateMachine machine) {
            this.node = node;
            this.machine = machine;
        }

        @Override
        public Object apply(long index, byte[] command) {
            return guard("apply at " + index, () -> machine.apply(index, command));
        }

        @Override
        public Object query(byte[] query) {
            return guard("query", () -> machine.query(query));
        }

        @Override
        public void takeSnapshot(long index, int maxChunkBytes, Consumer<byte[]> chunks) {
            guard("takeSnapshot at " + index, () -> {
                machine.takeSnapshot(index, maxChunkBytes, chunks);
                return null;
            });
        }

        @Override
        public void installSnapshot(long index, List<byte[]> chunks) {
            guard("installSnapshot at " + index, () -> {
                machine.installSnapshot(index, chunks);
                return null;
            });
        }

        @Override
        public long appliedIndex() {
            return machine.appliedIndex();
        }

        private Object guard(String what, Supplier<Object> call) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                thrown.add(node + " " + what + " (machine applied index " + machine.appliedIndex() + "): " + e);
                throw e;
            }
        }
    }

    /** A store over {@code node}'s current group and machine (no lease expiry: TTLs outlive runs). */
    KeyValueStore store(SimCluster.Node node) {
        return KeyValueStore.over(new RaftCommandLog(node.group()), machine(node), null);
    }

    /** Incarnations started so far, and how many of the restarts were clean. */
    String summary() {
        return incarnations + " incarnations, " + cleanRestarts + " clean restarts";
    }

    /** Closes every current machine. */
    void closeAll() {
        current.values().forEach(KvStateMachine::close);
        current.clear();
    }

    private static void deleteMarker(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve(CLEAN_MARKER));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot simulate a crash in " + dir, e);
        }
    }
}
