package dev.aspen.consensus.sim;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.ReplicatedStateMachine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A test state machine: each command is an 8-byte id (plus padding); the state is the map index →
 * id. It checks, per incarnation, that indexes arrive in increasing order and that no id is
 * applied twice, and reports every applied entry to the {@link History}. {@link #apply} returns the
 * id; a query of an 8-byte id answers whether it was applied, any other query answers the count.
 */
public final class RecordingStateMachine implements ReplicatedStateMachine {
    private static final int PAIR_BYTES = 16;

    private final NodeEndpoint node;
    private final History history;
    private final TreeMap<Long, Long> entries = new TreeMap<>();
    private final Set<Long> ids = new HashSet<>();
    private long appliedIndex;
    private long digest;
    private int snapshotsInstalled;

    /** A state machine of {@code node} reporting to {@code history}. */
    public RecordingStateMachine(NodeEndpoint node, History history) {
        this.node = node;
        this.history = history;
    }

    /** Encodes command {@code id} with {@code padding} extra bytes. */
    public static byte[] command(long id, int padding) {
        return ByteBuffer.allocate(8 + padding).putLong(id).array();
    }

    /** The query asking whether command {@code id} was applied. */
    public static byte[] containsQuery(long id) {
        return ByteBuffer.allocate(8).putLong(id).array();
    }

    @Override
    public Object apply(long index, byte[] command) {
        if (index <= appliedIndex) {
            history.violation(node + " applied index " + index + " after " + appliedIndex);
        }
        long id = ByteBuffer.wrap(command).getLong();
        record(index, id);
        appliedIndex = index;
        return id;
    }

    private void record(long index, long id) {
        if (!ids.add(id)) {
            history.violation(node + " applied command " + id + " twice (again at index " + index + ")");
        }
        entries.put(index, id);
        history.applied(node, index, id);
        digest = digest * 1_000_003 + index * 31 + id;
    }

    @Override
    public Object query(byte[] query) {
        if (query.length == 8) {
            return ids.contains(ByteBuffer.wrap(query).getLong());
        }
        return (long) ids.size();
    }

    @Override
    public void takeSnapshot(long index, int maxChunkBytes, Consumer<byte[]> chunks) {
        int pairsPerChunk = maxChunkBytes / PAIR_BYTES;
        List<Map.Entry<Long, Long>> all = new ArrayList<>(entries.entrySet());
        int chunkCount = Math.max(1, (all.size() + pairsPerChunk - 1) / pairsPerChunk);
        for (int c = 0; c < chunkCount; c++) {
            List<Map.Entry<Long, Long>> part =
                    all.subList(c * pairsPerChunk, Math.min(all.size(), (c + 1) * pairsPerChunk));
            ByteBuffer buffer = ByteBuffer.allocate(part.size() * PAIR_BYTES);
            part.forEach(e -> buffer.putLong(e.getKey()).putLong(e.getValue()));
            chunks.accept(buffer.array());
        }
    }

    @Override
    public void installSnapshot(long index, List<byte[]> chunks) {
        if (index < appliedIndex) {
            history.violation(node + " installed a snapshot at " + index + " after applying " + appliedIndex);
        }
        entries.clear();
        ids.clear();
        for (byte[] chunk : chunks) {
            ByteBuffer buffer = ByteBuffer.wrap(chunk);
            while (buffer.remaining() >= PAIR_BYTES) {
                record(buffer.getLong(), buffer.getLong());
            }
        }
        appliedIndex = index;
        snapshotsInstalled++;
    }

    /** How many snapshots this incarnation installed. */
    public int snapshotsInstalled() {
        return snapshotsInstalled;
    }

    @Override
    public long appliedIndex() {
        return appliedIndex;
    }

    /** The applied commands, index → id. */
    public Map<Long, Long> entries() {
        return new TreeMap<>(entries);
    }

    /** Whether command {@code id} is in the state. */
    public boolean contains(long id) {
        return ids.contains(id);
    }

    /** A digest of every apply and install, in order (for determinism checks). */
    public long digest() {
        return digest;
    }
}
