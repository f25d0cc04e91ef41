package dev.aspen.consensus.store;

import static dev.aspen.consensus.codec.ModelArbitraries.FACTORY;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.codec.RaftCodec;
import dev.aspen.tickets.NodeId;
import io.microraft.RaftEndpoint;
import io.microraft.model.log.LogEntry;
import io.microraft.model.log.RaftGroupMembersView;
import io.microraft.model.log.SnapshotChunk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** Builders and file helpers shared by the store tests. */
final class StoreFixtures {
    static final RaftCodec CODEC = new RaftCodec();
    /** Small segments so tests roll over often. */
    static final StoreOptions SMALL =
            StoreOptions.builder().segmentBytes(4096).maxRecordBytes(2048).build();

    private StoreFixtures() {}

    static DurableRaftStore open(Path dir) throws IOException {
        return DurableRaftStore.open(dir, CODEC, SMALL);
    }

    static NodeEndpoint endpoint(int seed) {
        byte[] bytes = new byte[NodeId.LENGTH];
        Arrays.fill(bytes, (byte) seed);
        return new NodeEndpoint(NodeId.ofBytes(bytes));
    }

    static LogEntry entry(long index, int term) {
        return FACTORY.createLogEntryBuilder()
                .setIndex(index)
                .setTerm(term)
                .setOperation(("command-" + index + "-" + term).getBytes())
                .build();
    }

    static List<LogEntry> entries(long from, long to, int term) {
        List<LogEntry> entries = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            entries.add(entry(i, term));
        }
        return entries;
    }

    static RaftGroupMembersView members(long logIndex) {
        List<RaftEndpoint> all = List.of(endpoint(1), endpoint(2), endpoint(3));
        return FACTORY.createRaftGroupMembersViewBuilder()
                .setLogIndex(logIndex)
                .setMembers(all)
                .setVotingMembers(all)
                .build();
    }

    static SnapshotChunk chunk(long index, int term, int chunkIndex, int count) {
        return FACTORY.createSnapshotChunkBuilder()
                .setIndex(index)
                .setTerm(term)
                .setSnapshotChunkIndex(chunkIndex)
                .setSnapshotChunkCount(count)
                .setOperation(("chunk-" + index + "-" + chunkIndex).getBytes())
                .setGroupMembersView(members(index - 1))
                .build();
    }

    /** Persists a whole snapshot and flushes. */
    static void snapshot(DurableRaftStore store, long index, int term, int count) throws IOException {
        for (int i = count - 1; i >= 0; i--) {
            store.persistSnapshotChunk(chunk(index, term, i, count));
        }
        store.flush();
    }

    static List<LogEntry> restoredEntries(DurableRaftStore store) {
        return store.restoredState().orElseThrow().getLogEntries();
    }

    static List<Long> indexes(List<LogEntry> entries) {
        return entries.stream().map(LogEntry::getIndex).toList();
    }

    static List<Path> files(Path dir, String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path lastSegment(Path dir) {
        List<Path> segments = files(dir, ".wal");
        return segments.get(segments.size() - 1);
    }

    /** Copies every file of {@code from} into a new directory {@code to}: what a crash leaves. */
    static Path copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
        return to;
    }

    static void flipBit(Path file, long offset, int bit) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= (byte) (1 << bit);
        Files.write(file, bytes);
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }
}
