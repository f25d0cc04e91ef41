package dev.aspen.consensus.store;

import io.microraft.model.log.SnapshotChunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The chunks of one snapshot, being written: one file per snapshot index, chunks in any order. */
final class SnapshotFile {
    private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})\\.snap");

    final Path path;
    final long index;
    final int term;
    final int chunkCount;
    private final BitSet present;
    private final FileChannel channel;
    private boolean dirty;

    private SnapshotFile(Path path, SnapshotChunk first, FileChannel channel) {
        this.path = path;
        this.index = first.getIndex();
        this.term = first.getTerm();
        this.chunkCount = first.getSnapshotChunkCount();
        this.present = new BitSet(chunkCount);
        this.channel = channel;
    }

    static String fileName(long index) {
        return String.format("snapshot-%020d.snap", index);
    }

    /** The snapshot index encoded in a snapshot file name, or -1 if the name is not a snapshot's. */
    static long parseIndex(String fileName) {
        Matcher matcher = NAME.matcher(fileName);
        return matcher.matches() ? Long.parseLong(matcher.group(1)) : -1;
    }

    /** Creates the file for the snapshot {@code first} belongs to. */
    static SnapshotFile create(Path dir, SnapshotChunk first) throws IOException {
        Path path = dir.resolve(fileName(first.getIndex()));
        FileFormat.createWithHeader(path, FileFormat.SNAPSHOT_MAGIC);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE);
        channel.position(channel.size());
        return new SnapshotFile(path, first, channel);
    }

    /**
     * @throws IllegalArgumentException if {@code chunk} contradicts the snapshot's term or chunk count
     */
    void checkBelongs(SnapshotChunk chunk) {
        if (chunk.getTerm() != term || chunk.getSnapshotChunkCount() != chunkCount) {
            throw new IllegalArgumentException("snapshot chunk " + chunk.getSnapshotChunkIndex() + " at index " + index
                    + " says term " + chunk.getTerm() + " and " + chunk.getSnapshotChunkCount()
                    + " chunks; the snapshot being persisted has term " + term + " and " + chunkCount + " chunks");
        }
    }

    void append(int chunkIndex, ByteBuffer record) throws IOException {
        FileFormat.writeFully(channel, record);
        present.set(chunkIndex);
        dirty = true;
    }

    boolean isComplete() {
        return present.cardinality() == chunkCount;
    }

    int chunksPresent() {
        return present.cardinality();
    }

    boolean sync() throws IOException {
        if (!dirty) {
            return false;
        }
        channel.force(false);
        dirty = false;
        return true;
    }

    void close() throws IOException {
        channel.close();
    }
}
