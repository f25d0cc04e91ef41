package dev.aspen.consensus.sim;

import io.microraft.model.impl.DefaultRaftModelFactory;
import io.microraft.model.log.LogEntry;
import io.microraft.model.log.RaftGroupMembersView;
import io.microraft.model.log.SnapshotChunk;
import io.microraft.model.log.SnapshotEntry;
import io.microraft.model.persistence.RaftEndpointPersistentState;
import io.microraft.model.persistence.RaftTermPersistentState;
import io.microraft.persistence.RaftStore;
import io.microraft.persistence.RestoredRaftState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * An in-memory {@link RaftStore} that models durability the way a write-ahead log on a real disk
 * behaves. {@code persistAndFlush*} is durable on return. Log entries, snapshot chunks and
 * truncations are only buffered until {@link #flush()}; {@link #crash(Random)} keeps a random
 * prefix (possibly empty) of the buffered operations and loses the rest, as a torn write would.
 * A snapshot becomes restorable once all its chunks were flushed.
 *
 * <p>Single-threaded (the simulator's thread).
 */
public final class SimRaftStore implements RaftStore {
    /** The durable state: what survives a crash. */
    private static final class Disk {
        RaftEndpointPersistentState endpoint;
        RaftGroupMembersView initialMembers;
        RaftTermPersistentState term;
        final TreeMap<Long, LogEntry> entries = new TreeMap<>();
        long pendingSnapshotIndex = -1;
        final TreeMap<Integer, SnapshotChunk> pendingChunks = new TreeMap<>();
        SnapshotEntry snapshot;

        void promoteCompleteSnapshot() {
            if (pendingSnapshotIndex < 0 || pendingChunks.isEmpty()) {
                return;
            }
            SnapshotChunk first = pendingChunks.firstEntry().getValue();
            if (pendingChunks.size() == first.getSnapshotChunkCount()) {
                snapshot = new DefaultRaftModelFactory()
                        .createSnapshotEntryBuilder()
                        .setIndex(first.getIndex())
                        .setTerm(first.getTerm())
                        .setSnapshotChunks(new ArrayList<>(pendingChunks.values()))
                        .setGroupMembersView(first.getGroupMembersView())
                        .build();
            }
        }
    }

    private final Disk disk = new Disk();
    private final List<Consumer<Disk>> buffered = new ArrayList<>();
    private long flushes;

    @Override
    public void persistAndFlushLocalEndpoint(RaftEndpointPersistentState state) {
        disk.endpoint = state;
    }

    @Override
    public void persistAndFlushInitialGroupMembers(RaftGroupMembersView members) {
        disk.initialMembers = members;
    }

    @Override
    public void persistAndFlushTerm(RaftTermPersistentState state) {
        disk.term = state;
    }

    @Override
    public void persistLogEntries(List<LogEntry> logEntries) {
        List<LogEntry> copy = List.copyOf(logEntries);
        buffered.add(d -> copy.forEach(e -> {
            long snapshotIndex = d.snapshot == null ? 0 : d.snapshot.getIndex();
            if (!d.entries.isEmpty()
                    && d.entries.lastKey() >= snapshotIndex
                    && e.getIndex() != d.entries.lastKey() + 1) {
                throw new AssertionError("log gap: appending " + e.getIndex() + " after " + d.entries.lastKey());
            }
            d.entries.put(e.getIndex(), e);
        }));
    }

    @Override
    public void persistSnapshotChunk(SnapshotChunk chunk) {
        buffered.add(d -> {
            if (d.pendingSnapshotIndex != chunk.getIndex()) {
                d.pendingSnapshotIndex = chunk.getIndex();
                d.pendingChunks.clear();
            }
            d.pendingChunks.put(chunk.getSnapshotChunkIndex(), chunk);
        });
    }

    @Override
    public void truncateLogEntriesFrom(long logIndexInclusive) {
        buffered.add(d -> d.entries.tailMap(logIndexInclusive, true).clear());
    }

    @Override
    public void truncateLogEntriesUntil(long logIndexInclusive) {
        buffered.add(d -> d.entries.headMap(logIndexInclusive, true).clear());
    }

    @Override
    public void deleteSnapshotChunks(long logIndex, int snapshotChunkCount) {
        buffered.add(d -> {
            if (d.pendingSnapshotIndex == logIndex) {
                d.pendingSnapshotIndex = -1;
                d.pendingChunks.clear();
            }
        });
    }

    @Override
    public void flush() {
        buffered.forEach(op -> op.accept(disk));
        buffered.clear();
        disk.promoteCompleteSnapshot();
        flushes++;
    }

    /** Number of {@link #flush()} calls so far. */
    public long flushes() {
        return flushes;
    }

    /**
     * Simulates a crash: a random prefix of the buffered (unflushed) operations reaches the disk, the
     * rest is lost.
     */
    public void crash(Random random) {
        int kept = random.nextInt(buffered.size() + 1);
        buffered.subList(0, kept).forEach(op -> op.accept(disk));
        buffered.clear();
    }

    /** What a restarting node reads back; empty when it never persisted its identity and term. */
    public Optional<RestoredRaftState> restoredState() {
        if (disk.endpoint == null || disk.initialMembers == null || disk.term == null) {
            return Optional.empty();
        }
        long snapshotIndex = disk.snapshot == null ? 0 : disk.snapshot.getIndex();
        List<LogEntry> entries =
                new ArrayList<>(disk.entries.tailMap(snapshotIndex, false).values());
        return Optional.of(
                new RestoredRaftState(disk.endpoint, disk.initialMembers, disk.term, disk.snapshot, entries));
    }
}
