package dev.aspen.consensus.store;

import dev.aspen.consensus.codec.CodecException;
import dev.aspen.consensus.codec.RaftCodec;
import io.microraft.model.RaftModelFactory;
import io.microraft.model.log.LogEntry;
import io.microraft.model.log.RaftGroupMembersView;
import io.microraft.model.log.SnapshotChunk;
import io.microraft.model.log.SnapshotEntry;
import io.microraft.model.persistence.RaftEndpointPersistentState;
import io.microraft.model.persistence.RaftTermPersistentState;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads a store directory back at open: metadata, the latest complete snapshot, the log. */
final class Recovery {
    static final String ENDPOINT_FILE = "endpoint.meta";
    static final String MEMBERS_FILE = "members.meta";
    static final String TERM_FILE = "term.meta";

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private final Path dir;
    private final RaftCodec codec;
    private final RaftModelFactory factory;
    private final List<TailRepair> repairs = new ArrayList<>();
    /** Snapshot files not used, deleted only once the rest of the directory has been checked. */
    private final Map<Path, String> unusedSnapshots = new TreeMap<>();

    /** Everything read back; {@code snapshot} may be null, {@code liveEntries} follow it. */
    record Recovered(
            RaftEndpointPersistentState endpoint,
            RaftGroupMembersView members,
            RaftTermPersistentState term,
            SnapshotEntry snapshot,
            List<LogEntry> liveEntries,
            List<Segment> segments,
            long lastIndex,
            List<TailRepair> repairs) {}

    private Recovery(Path dir, RaftCodec codec, RaftModelFactory factory) {
        this.dir = dir;
        this.codec = codec;
        this.factory = factory;
    }

    static Recovered recover(Path dir, RaftCodec codec, RaftModelFactory factory) throws IOException {
        return new Recovery(dir, codec, factory).run();
    }

    private Recovered run() throws IOException {
        for (Path temp : list(p -> p.getFileName().toString().endsWith(".tmp") ? 0 : -1)) {
            Files.delete(temp);
        }
        var endpoint = readMetadata(ENDPOINT_FILE, FileFormat.LOCAL_ENDPOINT, RaftEndpointPersistentState.class);
        var members = readMetadata(MEMBERS_FILE, FileFormat.INITIAL_MEMBERS, RaftGroupMembersView.class);
        var term = readMetadata(TERM_FILE, FileFormat.TERM, RaftTermPersistentState.class);
        SnapshotEntry snapshot = recoverSnapshots();
        List<LogEntry> live = new ArrayList<>();
        List<Segment> segments = recoverSegments(snapshot == null ? 0 : snapshot.getIndex(), live);
        checkLiveEntries(snapshot, live);
        for (var unused : unusedSnapshots.entrySet()) {
            LOG.info("{}: discarding {}", unused.getKey(), unused.getValue());
            Files.delete(unused.getKey());
        }
        long lastIndex = 0;
        for (Segment segment : segments) {
            if (!segment.isEmpty()) {
                lastIndex = Math.max(lastIndex, segment.lastIndex());
            }
        }
        return new Recovered(endpoint, members, term, snapshot, live, segments, lastIndex, List.copyOf(repairs));
    }

    private <T> T readMetadata(String name, byte type, Class<T> valueType) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            return null;
        }
        List<T> values = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FileFormat.checkHeader(file, channel, FileFormat.METADATA_MAGIC, "metadata file");
            RecordScanner.scan(file, channel, false, (offset, recordType, payload) -> {
                checkType(file, offset, recordType, type);
                values.add(decode(payload, valueType, file, offset));
            });
        }
        if (values.size() != 1) {
            throw new CorruptStoreException(file + ": holds " + values.size() + " records, expected exactly 1");
        }
        return values.get(0);
    }

    private SnapshotEntry recoverSnapshots() throws IOException {
        List<Path> files = list(p -> SnapshotFile.parseIndex(p.getFileName().toString()));
        SnapshotEntry chosen = null;
        for (int i = files.size() - 1; i >= 0; i--) {
            Path file = files.get(i);
            long index = SnapshotFile.parseIndex(file.getFileName().toString());
            Map<Integer, SnapshotChunk> chunks = readSnapshotFile(file, index);
            int count = chunks.isEmpty() ? 0 : chunks.values().iterator().next().getSnapshotChunkCount();
            boolean complete = count > 0 && chunks.size() == count;
            if (chosen == null && complete) {
                chosen = toSnapshotEntry(chunks);
            } else {
                unusedSnapshots.put(
                        file,
                        (complete ? "an older" : "an incomplete") + " snapshot at index " + index + " (" + chunks.size()
                                + " of " + count + " chunks)");
            }
        }
        return chosen;
    }

    private Map<Integer, SnapshotChunk> readSnapshotFile(Path file, long index) throws IOException {
        Map<Integer, SnapshotChunk> chunks = new TreeMap<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileFormat.checkHeader(file, channel, FileFormat.SNAPSHOT_MAGIC, "snapshot file");
            var scan = RecordScanner.scan(file, channel, true, (offset, type, payload) -> {
                checkType(file, offset, type, FileFormat.SNAPSHOT_CHUNK);
                SnapshotChunk chunk = decode(payload, SnapshotChunk.class, file, offset);
                SnapshotChunk first =
                        chunks.isEmpty() ? chunk : chunks.values().iterator().next();
                int count = chunk.getSnapshotChunkCount();
                boolean consistent = chunk.getIndex() == index
                        && count == first.getSnapshotChunkCount()
                        && chunk.getTerm() == first.getTerm()
                        && chunk.getSnapshotChunkIndex() < count;
                if (!consistent) {
                    throw new CorruptStoreException(file + " at offset " + offset + ": chunk " + chunk
                            + " does not belong to the snapshot at index " + index);
                }
                chunks.put(chunk.getSnapshotChunkIndex(), chunk);
            });
            repair(channel, scan);
        }
        return chunks;
    }

    private SnapshotEntry toSnapshotEntry(Map<Integer, SnapshotChunk> chunks) {
        SnapshotChunk first = chunks.values().iterator().next();
        return factory.createSnapshotEntryBuilder()
                .setIndex(first.getIndex())
                .setTerm(first.getTerm())
                .setSnapshotChunks(new ArrayList<>(chunks.values()))
                .setGroupMembersView(first.getGroupMembersView())
                .build();
    }

    private List<Segment> recoverSegments(long snapshotIndex, List<LogEntry> live) throws IOException {
        List<Path> files = list(p -> Segment.parseFirstIndex(p.getFileName().toString()));
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            Segment segment =
                    new Segment(file, Segment.parseFirstIndex(file.getFileName().toString()), 0);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileFormat.checkHeader(file, channel, FileFormat.SEGMENT_MAGIC, "log segment");
                boolean last = i == files.size() - 1;
                var scan = RecordScanner.scan(file, channel, last, (offset, type, payload) -> {
                    checkType(file, offset, type, FileFormat.LOG_ENTRY);
                    LogEntry entry = decode(payload, LogEntry.class, file, offset);
                    long expected = segment.firstIndex + segment.count();
                    if (entry.getIndex() != expected) {
                        throw new CorruptStoreException(
                                file + " at offset " + offset + ": log index " + entry.getIndex() + " where " + expected
                                        + " was expected (indexes must be contiguous)");
                    }
                    segment.addRecovered(offset);
                    if (entry.getIndex() > snapshotIndex) {
                        live.add(entry);
                    }
                });
                repair(channel, scan);
                segment.finishRecovery(scan.validEnd());
                segments.add(segment);
            }
        }
        return segments;
    }

    private void checkLiveEntries(SnapshotEntry snapshot, List<LogEntry> live) throws CorruptStoreException {
        long expected = snapshot == null ? 1 : snapshot.getIndex() + 1;
        int term = snapshot == null ? 0 : snapshot.getTerm();
        for (LogEntry entry : live) {
            if (entry.getIndex() != expected) {
                throw new CorruptStoreException(dir + ": the log continues at index " + entry.getIndex() + " where "
                        + expected + " was expected (snapshot index "
                        + (snapshot == null ? "none" : snapshot.getIndex()) + "); entries are missing"
                        + (unusedSnapshots.isEmpty() ? "" : "; unusable snapshot files: " + unusedSnapshots));
            }
            if (entry.getTerm() < term) {
                throw new CorruptStoreException(dir + ": log entry " + entry.getIndex() + " has term " + entry.getTerm()
                        + ", lower than the term " + term + " before it");
            }
            expected++;
            term = entry.getTerm();
        }
    }

    private void repair(FileChannel channel, RecordScanner.Scan scan) throws IOException {
        TailRepair repair = scan.repair();
        if (repair == null) {
            return;
        }
        LOG.warn(
                "{}: cutting {} bytes of torn or corrupt tail at offset {} ({})",
                repair.file(),
                repair.bytesCut(),
                repair.offset(),
                repair.reason());
        channel.truncate(repair.offset());
        channel.force(true);
        repairs.add(repair);
    }

    private static void checkType(Path file, long offset, byte found, byte expected) throws CorruptStoreException {
        if (found != expected) {
            throw new CorruptStoreException(
                    file + " at offset " + offset + ": record type " + found + " where type " + expected + " belongs");
        }
    }

    private <T> T decode(byte[] payload, Class<T> type, Path file, long offset) throws CorruptStoreException {
        try {
            return codec.decode(payload, type);
        } catch (CodecException e) {
            throw new CorruptStoreException(
                    file + " at offset " + offset + ": record does not decode: " + e.getMessage(), e);
        }
    }

    /** Files in the directory with a non-negative key, sorted by key. */
    private List<Path> list(ToLongFunction<Path> key) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> key.applyAsLong(p) >= 0)
                    .sorted(Comparator.comparingLong(key))
                    .toList();
        }
    }
}
