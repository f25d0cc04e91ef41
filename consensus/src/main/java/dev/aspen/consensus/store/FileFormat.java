package dev.aspen.consensus.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The on-disk format shared by segments, snapshot files and metadata files.
 *
 * <p>File header (8 bytes): magic (4, big-endian), format version (2), reserved zero (2). Record:
 * payload length (4), CRC32C (4) over the length bytes, the type byte and the payload, type (1),
 * payload (a {@link dev.aspen.consensus.codec.RaftCodec} encoding).
 */
final class FileFormat {
    static final int SEGMENT_MAGIC = 0x41574C47; // "AWLG"
    static final int SNAPSHOT_MAGIC = 0x41534E50; // "ASNP"
    static final int METADATA_MAGIC = 0x414D5441; // "AMTA"
    static final short VERSION = 1;
    static final int HEADER_BYTES = 8;
    static final int RECORD_HEADER_BYTES = 9;
    /** Format limit on a record payload; bigger lengths can only come from corruption. */
    static final int MAX_PAYLOAD_BYTES = 1 << 30;

    static final byte LOG_ENTRY = 1;
    static final byte SNAPSHOT_CHUNK = 2;
    static final byte LOCAL_ENDPOINT = 3;
    static final byte INITIAL_MEMBERS = 4;
    static final byte TERM = 5;

    private FileFormat() {}

    static boolean isKnownType(byte type) {
        return type >= LOG_ENTRY && type <= TERM;
    }

    static ByteBuffer header(int magic) {
        return ByteBuffer.allocate(HEADER_BYTES)
                .putInt(magic)
                .putShort(VERSION)
                .putShort((short) 0)
                .flip();
    }

    /**
     * Checks the header of {@code file}.
     *
     * @throws CorruptStoreException if the file is shorter than a header, has another magic, or a
     *     format version this code does not read (naming both versions)
     */
    static void checkHeader(Path file, FileChannel channel, int magic, String kind) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        if (readFully(channel, header, 0) < HEADER_BYTES) {
            throw new CorruptStoreException(file + ": shorter than the " + HEADER_BYTES + "-byte header of a " + kind);
        }
        header.flip();
        int found = header.getInt();
        if (found != magic) {
            throw new CorruptStoreException(file + ": not a " + kind + " (magic 0x" + Integer.toHexString(found)
                    + ", expected 0x" + Integer.toHexString(magic) + ")");
        }
        short version = header.getShort();
        if (version != VERSION) {
            throw new CorruptStoreException(file + ": unsupported " + kind + " format version " + version
                    + "; this node reads version " + VERSION);
        }
    }

    /** A complete record: header and payload. */
    static ByteBuffer record(byte type, byte[] payload) {
        ByteBuffer record = ByteBuffer.allocate(RECORD_HEADER_BYTES + payload.length);
        record.putInt(payload.length)
                .putInt(crc(payload.length, type, payload, 0))
                .put(type)
                .put(payload);
        return record.flip();
    }

    static int crc(int length, byte type, byte[] payload, int payloadOffset) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(4).putInt(length).array());
        crc.update(type);
        crc.update(payload, payloadOffset, length);
        return (int) crc.getValue();
    }

    /** Writes a new file with only a header, atomically: a file with this name always has a whole header. */
    static void createWithHeader(Path file, int magic) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(
                temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            writeFully(channel, header(magic));
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static void writeFully(FileChannel channel, ByteBuffer... buffers) throws IOException {
        long remaining = 0;
        for (ByteBuffer buffer : buffers) {
            remaining += buffer.remaining();
        }
        while (remaining > 0) {
            remaining -= channel.write(buffers);
        }
    }

    /** Reads into {@code buffer} from {@code position} until full or end of file; returns bytes read. */
    static int readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + total);
            if (read < 0) {
                break;
            }
            total += read;
        }
        return total;
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
