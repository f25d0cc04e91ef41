package dev.aspen.consensus.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One log segment file: contiguous log entries starting at the index in its name. Tracks each
 * record's offset so the log can be cut at any entry. Only the last segment is open for writing;
 * sealed segments were fsynced when the log rolled past them.
 */
final class Segment {
    private static final Pattern NAME = Pattern.compile("log-(\\d{20})\\.wal");

    final Path path;
    final long firstIndex;
    private long[] offsets = new long[64];
    private int count;
    private long size;
    private FileChannel channel;
    private final List<ByteBuffer> pending = new ArrayList<>();
    private boolean dirty;

    Segment(Path path, long firstIndex, long size) {
        this.path = path;
        this.firstIndex = firstIndex;
        this.size = size;
    }

    static String fileName(long firstIndex) {
        return String.format("log-%020d.wal", firstIndex);
    }

    /** The first index encoded in a segment file name, or -1 if the name is not a segment's. */
    static long parseFirstIndex(String fileName) {
        Matcher matcher = NAME.matcher(fileName);
        return matcher.matches() ? Long.parseLong(matcher.group(1)) : -1;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int count() {
        return count;
    }

    long lastIndex() {
        return firstIndex + count - 1;
    }

    long size() {
        return size;
    }

    boolean dirty() {
        return dirty;
    }

    /** Records an entry found on disk at {@code offset}. */
    void addRecovered(long offset) {
        addOffset(offset);
    }

    /** Sets the end of the valid records found on disk. */
    void finishRecovery(long validEnd) {
        size = validEnd;
    }

    /** Queues a record for the next entry; written by {@link #drain()}. */
    void append(ByteBuffer record) {
        addOffset(size);
        size += record.remaining();
        pending.add(record);
        dirty = true;
    }

    private void addOffset(long offset) {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, count * 2);
        }
        offsets[count++] = offset;
    }

    /** Hands queued records to the OS (no fsync). */
    void drain() throws IOException {
        if (!pending.isEmpty()) {
            FileFormat.writeFully(openChannel(), pending.toArray(new ByteBuffer[0]));
            pending.clear();
        }
    }

    /** Drains and fsyncs if anything was written since the last sync; returns whether it synced. */
    boolean sync() throws IOException {
        if (!dirty) {
            return false;
        }
        drain();
        openChannel().force(false);
        dirty = false;
        return true;
    }

    /** Cuts the file before the entry at {@code index} and makes the cut durable. */
    void truncateFrom(long index) throws IOException {
        drain();
        int keep = (int) (index - firstIndex);
        long cut = offsets[keep];
        FileChannel ch = openChannel();
        ch.truncate(cut);
        ch.force(true);
        ch.position(cut);
        count = keep;
        size = cut;
    }

    private FileChannel openChannel() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(path, StandardOpenOption.WRITE);
            channel.position(channel.size()); // records are only ever appended
        }
        return channel;
    }

    /** Closes the file handle (queued records are dropped: drain or sync first to keep them). */
    void close() throws IOException {
        pending.clear();
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
