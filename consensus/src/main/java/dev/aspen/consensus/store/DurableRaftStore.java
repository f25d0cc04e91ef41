package dev.aspen.consensus.store;

import dev.aspen.consensus.codec.RaftCodec;
import io.microraft.model.RaftModelFactory;
import io.microraft.model.impl.DefaultRaftModelFactory;
import io.microraft.model.log.LogEntry;
import io.microraft.model.log.RaftGroupMembersView;
import io.microraft.model.log.SnapshotChunk;
import io.microraft.model.persistence.RaftEndpointPersistentState;
import io.microraft.model.persistence.RaftTermPersistentState;
import io.microraft.persistence.RaftStore;
import io.microraft.persistence.RestoredRaftState;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MicroRaft's {@link RaftStore} on local files: a segmented write-ahead log with a CRC32C per
 * record, one file per snapshot, and three small metadata files (local endpoint, initial members,
 * term and vote). The formats are described in {@code consensus/README.md}.
 *
 * <p>Durability: {@code persistAndFlush*} and {@link #truncateLogEntriesFrom} are durable on return.
 * {@link #persistLogEntries} and {@link #persistSnapshotChunk} only hand bytes to the OS; {@link
 * #flush()} makes all of them durable with one fsync of the active segment (group commit: however
 * many entries were appended since the last flush). A snapshot becomes the restorable one when a
 * flush finds all its chunks persisted.
 *
 * <p>Restart: {@link #open} reads everything back, cuts a torn tail (logged at WARN and listed by
 * {@link #tailRepairs()}), and refuses with {@link CorruptStoreException} a directory whose damage
 * is not a torn tail. Any {@link IOException} while running puts the store in a failed state: every
 * later call throws, and the node must reopen the directory to recover.
 *
 * <p>Threads: all methods may block on disk I/O. They are synchronized; MicroRaft calls them from
 * its single Raft thread, and {@link #stats()} may be read from any thread.
 */
public final class DurableRaftStore implements RaftStore, Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(DurableRaftStore.class);
    private static final String LOCK_FILE = "LOCK";

    private final Path dir;
    private final RaftCodec codec;
    private final StoreOptions options;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final RestoredRaftState restored;
    private final List<TailRepair> repairs;
    private final List<Segment> segments;
    private long lastIndex;
    private long snapshotIndex;
    private SnapshotFile pendingSnapshot;
    private boolean dirDirty;
    private volatile IOException failure;
    private boolean closed;

    private volatile long entriesAppended;
    private volatile long bytesAppended;
    private volatile long fsyncs;
    private volatile long flushes;
    private volatile long syncingFlushes;

    private DurableRaftStore(
            Path dir,
            RaftCodec codec,
            StoreOptions options,
            FileChannel lockChannel,
            FileLock lock,
            Recovery.Recovered recovered,
            RaftModelFactory factory)
            throws CorruptStoreException {
        this.dir = dir;
        this.codec = codec;
        this.options = options;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.repairs = recovered.repairs();
        this.segments = new ArrayList<>(recovered.segments());
        this.lastIndex = recovered.lastIndex();
        this.snapshotIndex =
                recovered.snapshot() == null ? 0 : recovered.snapshot().getIndex();
        this.restored = toRestoredState(dir, recovered, factory);
    }

    /**
     * Opens (creating if needed) the store in {@code dir} and reads back what it holds. Blocks on
     * disk I/O. Only one store may have a directory open at a time.
     *
     * @throws CorruptStoreException if the directory holds damage other than a torn tail, or files
     *     of an unknown format version (the message names the file, the offset and the versions)
     * @throws IOException if the directory cannot be read or written, or is open elsewhere
     */
    public static DurableRaftStore open(Path dir, RaftCodec codec, StoreOptions options) throws IOException {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(options, "options");
        boolean created = !Files.isDirectory(dir);
        Files.createDirectories(dir);
        Path parent = dir.toAbsolutePath().getParent();
        if (created && parent != null) {
            FileFormat.fsyncDirectory(parent); // the new directory entry must survive a power loss
        }
        FileChannel lockChannel =
                FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = lockChannel.tryLock();
            if (lock == null) {
                throw new IOException(dir + " is already open by another process");
            }
            RaftModelFactory factory = new DefaultRaftModelFactory();
            var recovered = Recovery.recover(dir, codec, factory);
            return new DurableRaftStore(dir, codec, options, lockChannel, lock, recovered, factory);
        } catch (OverlappingFileLockException e) {
            lockChannel.close();
            throw new IOException(dir + " is already open in this process", e);
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            throw e;
        }
    }

    private static RestoredRaftState toRestoredState(Path dir, Recovery.Recovered r, RaftModelFactory factory)
            throws CorruptStoreException {
        if (r.endpoint() != null && r.members() != null) {
            var term = r.term() != null
                    ? r.term()
                    : factory.createRaftTermPersistentStateBuilder().setTerm(0).build();
            return new RestoredRaftState(r.endpoint(), r.members(), term, r.snapshot(), List.copyOf(r.liveEntries()));
        }
        boolean hasRaftState =
                r.term() != null || r.snapshot() != null || !r.segments().isEmpty();
        if (hasRaftState || r.members() != null) {
            throw new CorruptStoreException(dir + ": holds Raft state but no "
                    + (r.endpoint() == null ? "local endpoint" : "initial group members") + " file");
        }
        if (r.endpoint() != null) {
            LOG.warn("{}: only the local endpoint was persisted before a crash; starting fresh", dir);
        }
        return null;
    }

    /**
     * What the directory held when opened: empty for a fresh directory (or one where a crash came
     * before the initial group members were persisted). Log entries are those after the snapshot.
     */
    public Optional<RestoredRaftState> restoredState() {
        return Optional.ofNullable(restored);
    }

    /** The torn tails cut while opening, in the order they were found. */
    public List<TailRepair> tailRepairs() {
        return repairs;
    }

    /** Counters since open; safe to call from any thread, never blocks. */
    public StoreStats stats() {
        return new StoreStats(entriesAppended, bytesAppended, fsyncs, flushes, syncingFlushes);
    }

    /**
     * The disk error that stopped this store, if one did (see the class comment): from then on it
     * refuses every call and the node must reopen the directory. Any thread; never blocks.
     */
    public Optional<IOException> failure() {
        return Optional.ofNullable(failure);
    }

    /** The store directory. */
    public Path directory() {
        return dir;
    }

    /** Replaces the persisted local endpoint and voting flag; durable on return. */
    @Override
    public synchronized void persistAndFlushLocalEndpoint(RaftEndpointPersistentState state) throws IOException {
        writeMetadata(Recovery.ENDPOINT_FILE, FileFormat.LOCAL_ENDPOINT, codec.encode(state));
    }

    /** Replaces the persisted initial group members; durable on return. */
    @Override
    public synchronized void persistAndFlushInitialGroupMembers(RaftGroupMembersView members) throws IOException {
        writeMetadata(Recovery.MEMBERS_FILE, FileFormat.INITIAL_MEMBERS, codec.encode(members));
    }

    /** Replaces the persisted term and vote; durable on return. */
    @Override
    public synchronized void persistAndFlushTerm(RaftTermPersistentState state) throws IOException {
        writeMetadata(Recovery.TERM_FILE, FileFormat.TERM, codec.encode(state));
    }

    /** Replaces a metadata file atomically: temp file, fsync, rename, fsync of the directory. */
    private void writeMetadata(String name, byte type, byte[] payload) throws IOException {
        checkUsable();
        checkRecordSize(payload, name);
        try {
            Path temp = dir.resolve(name + ".tmp");
            try (FileChannel channel = FileChannel.open(
                    temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                FileFormat.writeFully(
                        channel, FileFormat.header(FileFormat.METADATA_MAGIC), FileFormat.record(type, payload));
                channel.force(true);
            }
            Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            FileFormat.fsyncDirectory(dir);
            fsyncs += 2;
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /**
     * Appends entries to the active segment and hands them to the OS; durable at the next {@link
     * #flush()}. May block on disk I/O (and on an fsync when the log rolls to a new segment).
     *
     * @throws IllegalArgumentException if the first index does not follow the last entry (or the
     *     snapshot), indexes are not contiguous, or an entry encodes larger than {@code
     *     maxRecordBytes}; nothing is written then
     */
    @Override
    public synchronized void persistLogEntries(List<LogEntry> entries) throws IOException {
        checkUsable();
        if (entries.isEmpty()) {
            return;
        }
        List<ByteBuffer> records = new ArrayList<>(entries.size());
        long expected = Math.max(lastIndex, snapshotIndex) + 1;
        for (LogEntry entry : entries) {
            if (entry.getIndex() != expected) {
                throw new IllegalArgumentException(dir + ": log entry index " + entry.getIndex() + " does not follow"
                        + " the log (last index " + lastIndex + ", snapshot index " + snapshotIndex + "); expected "
                        + expected);
            }
            byte[] payload = codec.encode(entry);
            checkRecordSize(payload, "log entry " + expected);
            records.add(FileFormat.record(FileFormat.LOG_ENTRY, payload));
            expected++;
        }
        try {
            long index = entries.get(0).getIndex();
            long bytes = 0;
            for (ByteBuffer record : records) {
                bytes += record.remaining();
                segmentFor(index++, record.remaining()).append(record);
            }
            lastSegment().drain();
            lastIndex = index - 1;
            entriesAppended += records.size();
            bytesAppended += bytes;
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /** The segment the entry at {@code index} goes to, rolling to a new one when needed. */
    private Segment segmentFor(long index, int recordBytes) throws IOException {
        Segment active = lastSegment();
        boolean follows =
                active != null && (active.isEmpty() ? active.firstIndex == index : active.lastIndex() + 1 == index);
        boolean fits = active != null && (active.isEmpty() || active.size() + recordBytes <= options.segmentBytes());
        if (follows && fits) {
            return active;
        }
        if (active != null && active.isEmpty()) {
            active.close();
            Files.delete(active.path);
            segments.remove(segments.size() - 1);
        } else if (active != null) {
            if (active.sync()) {
                fsyncs++;
            }
            active.close();
        }
        Path path = dir.resolve(Segment.fileName(index));
        FileFormat.createWithHeader(path, FileFormat.SEGMENT_MAGIC);
        fsyncs++;
        dirDirty = true;
        Segment segment = new Segment(path, index, FileFormat.HEADER_BYTES);
        segments.add(segment);
        return segment;
    }

    /**
     * Persists one snapshot chunk (any order); durable at the next {@link #flush()}. The snapshot
     * becomes the one restored after a restart when a flush finds all its chunks. A chunk of
     * another snapshot index discards an unfinished snapshot.
     *
     * @throws IllegalArgumentException if the chunk is not newer than the persisted snapshot, or
     *     contradicts the other chunks of its snapshot (term, chunk count, chunk index)
     */
    @Override
    public synchronized void persistSnapshotChunk(SnapshotChunk chunk) throws IOException {
        checkUsable();
        int count = chunk.getSnapshotChunkCount();
        if (chunk.getIndex() <= snapshotIndex
                || count < 1
                || chunk.getSnapshotChunkIndex() < 0
                || chunk.getSnapshotChunkIndex() >= count) {
            throw new IllegalArgumentException(dir + ": invalid snapshot chunk " + chunk.getSnapshotChunkIndex() + "/"
                    + count + " at index " + chunk.getIndex() + " (persisted snapshot index " + snapshotIndex + ")");
        }
        byte[] payload = codec.encode(chunk);
        checkRecordSize(payload, "snapshot chunk");
        try {
            if (pendingSnapshot != null && pendingSnapshot.index != chunk.getIndex()) {
                discardPendingSnapshot();
            }
            if (pendingSnapshot == null) {
                pendingSnapshot = SnapshotFile.create(dir, chunk);
                fsyncs++;
                dirDirty = true;
            }
            pendingSnapshot.checkBelongs(chunk);
            pendingSnapshot.append(
                    chunk.getSnapshotChunkIndex(), FileFormat.record(FileFormat.SNAPSHOT_CHUNK, payload));
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /**
     * Drops the entry at {@code index} and every later one; durable on return (fsyncs the cut file
     * and, if whole segments were deleted, the directory).
     *
     * @throws IllegalArgumentException if {@code index} is at or below the persisted snapshot index
     */
    @Override
    public synchronized void truncateLogEntriesFrom(long index) throws IOException {
        checkUsable();
        if (index <= snapshotIndex) {
            throw new IllegalArgumentException(dir + ": cannot truncate from index " + index
                    + ", the snapshot at index " + snapshotIndex + " covers it");
        }
        if (index > lastIndex) {
            return;
        }
        try {
            boolean deleted = false;
            while (!segments.isEmpty() && lastSegment().firstIndex >= index) {
                Segment doomed = segments.remove(segments.size() - 1);
                doomed.close();
                Files.delete(doomed.path);
                deleted = true;
            }
            if (deleted) {
                FileFormat.fsyncDirectory(dir);
                fsyncs++;
            }
            Segment last = lastSegment();
            if (last != null && !last.isEmpty() && last.lastIndex() >= index) {
                last.truncateFrom(index);
                fsyncs++;
            }
            lastIndex = index - 1;
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /**
     * Drops entries up to and including {@code index}, which a persisted snapshot must cover.
     * Whole segments holding only such entries are deleted now; the directory change becomes
     * durable at the next flush (a segment that reappears after a crash is ignored on restart).
     *
     * @throws IllegalArgumentException if no complete snapshot at or above {@code index} exists
     */
    @Override
    public synchronized void truncateLogEntriesUntil(long index) throws IOException {
        checkUsable();
        if (index > snapshotIndex
                && pendingSnapshot != null
                && pendingSnapshot.isComplete()
                && index <= pendingSnapshot.index) {
            flush();
        }
        if (index > snapshotIndex) {
            throw new IllegalArgumentException(dir + ": cannot drop log entries up to " + index
                    + ": the persisted snapshot only covers up to " + snapshotIndex);
        }
        try {
            while (!segments.isEmpty()) {
                Segment first = segments.get(0);
                boolean obsolete = first.isEmpty() ? first.firstIndex <= index : first.lastIndex() <= index;
                if (!obsolete) {
                    break;
                }
                segments.remove(0);
                first.close();
                Files.delete(first.path);
                dirDirty = true;
            }
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /** Deletes the unfinished snapshot at {@code index}, if that is the one being persisted. */
    @Override
    public synchronized void deleteSnapshotChunks(long index, int chunkCount) throws IOException {
        checkUsable();
        if (pendingSnapshot != null && pendingSnapshot.index == index) {
            try {
                discardPendingSnapshot();
            } catch (IOException e) {
                throw fail(e);
            }
        }
    }

    private void discardPendingSnapshot() throws IOException {
        pendingSnapshot.close();
        Files.deleteIfExists(pendingSnapshot.path);
        LOG.info(
                "{}: discarded unfinished snapshot at index {} ({} of {} chunks)",
                dir,
                pendingSnapshot.index,
                pendingSnapshot.chunksPresent(),
                pendingSnapshot.chunkCount);
        pendingSnapshot = null;
        dirDirty = true;
    }

    /**
     * Makes everything persisted so far durable: fsyncs the active segment, the snapshot being
     * written and, after file creations or deletions, the directory. Returns at once when nothing
     * changed since the last flush. Blocks for the fsyncs.
     */
    @Override
    public synchronized void flush() throws IOException {
        checkUsable();
        flushes++;
        try {
            int synced = 0;
            Segment active = lastSegment();
            if (active != null && active.sync()) {
                synced++;
            }
            if (pendingSnapshot != null && pendingSnapshot.sync()) {
                synced++;
            }
            if (dirDirty) {
                FileFormat.fsyncDirectory(dir);
                dirDirty = false;
                synced++;
            }
            if (synced > 0) {
                fsyncs += synced;
                syncingFlushes++;
            }
            if (pendingSnapshot != null && pendingSnapshot.isComplete()) {
                installCompletedSnapshot();
            }
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /** The durable, complete pending snapshot becomes the restorable one; the older one is deleted. */
    private void installCompletedSnapshot() throws IOException {
        long previous = snapshotIndex;
        snapshotIndex = pendingSnapshot.index;
        pendingSnapshot.close();
        pendingSnapshot = null;
        if (previous > 0) {
            Files.deleteIfExists(dir.resolve(SnapshotFile.fileName(previous)));
            dirDirty = true;
        }
    }

    /**
     * Flushes what was persisted, then releases the files and the directory lock. Idempotent.
     *
     * @throws IOException if the final flush fails (the files are released anyway)
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (failure == null) {
                flush();
            }
        } finally {
            closed = true;
            for (Segment segment : segments) {
                segment.close();
            }
            if (pendingSnapshot != null) {
                pendingSnapshot.close();
            }
            lock.release();
            lockChannel.close();
        }
    }

    private Segment lastSegment() {
        return segments.isEmpty() ? null : segments.get(segments.size() - 1);
    }

    private void checkRecordSize(byte[] payload, String what) {
        if (payload.length > options.maxRecordBytes()) {
            throw new IllegalArgumentException(dir + ": " + what + " encodes to " + payload.length
                    + " bytes, above maxRecordBytes " + options.maxRecordBytes());
        }
    }

    private void checkUsable() throws IOException {
        if (closed) {
            throw new IllegalStateException(dir + ": store is closed");
        }
        if (failure != null) {
            throw new IOException(dir + ": store failed earlier and must be reopened", failure);
        }
    }

    private IOException fail(IOException e) {
        failure = e;
        LOG.error("{}: disk error, the store stops accepting writes", dir, e);
        return e;
    }
}
