package dev.aspen.consensus.store;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Reads the records of one file in order and decides what a bad record means.
 *
 * <p>A record is bad when its header is incomplete, its length is impossible or runs past the end
 * of the file, or its CRC does not match. A bad record is a torn tail (cut and reported) only if the
 * file may have one, no valid record starts anywhere after it, and the record is not complete: a
 * last record that is all there but fails its CRC with no zeroed sector (or whose length alone is
 * wrong) was damaged after it was written, maybe after it was acknowledged. Everything else is
 * corruption, and opening stops with a {@link CorruptStoreException}.
 */
final class RecordScanner {
    /** Most bytes after a bad record searched for a following valid record. */
    static final int TAIL_SEARCH_LIMIT = 64 << 20;

    private static final int READ_BUFFER_BYTES = 64 << 10;
    /** The unit a disk writes atomically, or not at all. */
    private static final int SECTOR_BYTES = 512;

    private RecordScanner() {}

    /** Receives each valid record; may throw to reject its content. */
    interface RecordSink {
        void accept(long offset, byte type, byte[] payload) throws IOException;
    }

    /** Where the valid records end, and the tail cut there, if any. */
    record Scan(long validEnd, TailRepair repair) {}

    /**
     * Scans {@code file} (whose header has been checked) from the first record.
     *
     * @param tailMayBeTorn whether a crash can have left this file with a partial last record
     * @return the end of the last valid record and, if bytes follow it, the repair to apply
     * @throws CorruptStoreException for a bad record that is not a torn tail
     */
    static Scan scan(Path file, FileChannel channel, boolean tailMayBeTorn, RecordSink sink) throws IOException {
        long size = channel.size();
        long offset = FileFormat.HEADER_BYTES;
        channel.position(offset);
        InputStream in = new BufferedInputStream(Channels.newInputStream(channel), READ_BUFFER_BYTES);
        byte[] header = new byte[FileFormat.RECORD_HEADER_BYTES];
        while (offset < size) {
            String problem = null;
            boolean complete = false;
            byte[] payload = null;
            byte type = 0;
            if (in.readNBytes(header, 0, header.length) < header.length) {
                problem = "incomplete record header";
            } else {
                ByteBuffer parsed = ByteBuffer.wrap(header);
                int length = parsed.getInt();
                int crc = parsed.getInt();
                type = parsed.get();
                long end = offset + FileFormat.RECORD_HEADER_BYTES + Integer.toUnsignedLong(length);
                if (length <= 0 || length > FileFormat.MAX_PAYLOAD_BYTES || end > size) {
                    problem = "record length " + Integer.toUnsignedString(length) + " does not fit the file";
                    complete = restIsOneRecord(channel, offset, size, crc, type);
                } else {
                    payload = in.readNBytes(length);
                    if (payload.length < length || FileFormat.crc(length, type, payload, 0) != crc) {
                        problem = "CRC mismatch";
                        complete = end == size
                                ? !endsInZeroSector(channel, offset, end)
                                : restIsOneRecord(channel, offset, size, crc, type);
                    }
                }
            }
            if (complete && tailMayBeTorn) {
                throw new CorruptStoreException(file + " at offset " + offset + ": " + problem + " in the last record,"
                        + " which the file holds whole (a torn write leaves it short or ending in zeros): it was"
                        + " damaged after it was written and may have been acknowledged; refusing to drop it"
                        + " (restore this node from a replica)");
            }
            if (problem != null) {
                return badRecord(file, channel, offset, size, tailMayBeTorn, problem);
            }
            sink.accept(offset, type, payload);
            offset += FileFormat.RECORD_HEADER_BYTES + payload.length;
        }
        return new Scan(offset, null);
    }

    private static Scan badRecord(Path file, FileChannel channel, long offset, long size, boolean tail, String problem)
            throws IOException {
        String where = file + " at offset " + offset;
        if (!tail) {
            throw new CorruptStoreException(where + ": " + problem + " in a file that cannot have a torn tail");
        }
        if (size - offset > TAIL_SEARCH_LIMIT) {
            throw new CorruptStoreException(where + ": " + problem + ", followed by " + (size - offset)
                    + " bytes, more than a torn write leaves; refusing to cut them");
        }
        OptionalLong next = findValidRecord(channel, offset, size);
        if (next.isPresent()) {
            throw new CorruptStoreException(where + ": " + problem + ", but a valid record follows at offset "
                    + next.getAsLong() + "; refusing to drop data (restore this node from a replica)");
        }
        return new Scan(offset, new TailRepair(file, offset, size - offset, problem));
    }

    /**
     * Whether the bytes from {@code offset} to the end of the file are one record whose length
     * field alone is wrong: its CRC matches the payload the file actually holds.
     */
    private static boolean restIsOneRecord(FileChannel channel, long offset, long size, int crc, byte type)
            throws IOException {
        long length = size - offset - FileFormat.RECORD_HEADER_BYTES;
        if (length <= 0 || length > TAIL_SEARCH_LIMIT) {
            return false;
        }
        ByteBuffer payload = ByteBuffer.allocate((int) length);
        FileFormat.readFully(channel, payload, offset + FileFormat.RECORD_HEADER_BYTES);
        return FileFormat.crc((int) length, type, payload.array(), 0) == crc;
    }

    /**
     * Whether the record's piece in its last {@value #SECTOR_BYTES}-byte sector is all zeros, as the
     * unwritten end of a torn append reads (after etcd's test for a torn entry). A last record that
     * fails its CRC without it was written whole and damaged later.
     */
    private static boolean endsInZeroSector(FileChannel channel, long start, long end) throws IOException {
        long pieceStart = Math.max(start, (end - 1) / SECTOR_BYTES * SECTOR_BYTES);
        ByteBuffer piece = ByteBuffer.allocate((int) (end - pieceStart));
        FileFormat.readFully(channel, piece, pieceStart);
        for (byte b : piece.array()) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** The offset of the first valid record starting after {@code bad}, if any. */
    private static OptionalLong findValidRecord(FileChannel channel, long bad, long size) throws IOException {
        ByteBuffer region = ByteBuffer.allocate((int) (size - bad));
        FileFormat.readFully(channel, region, bad);
        byte[] bytes = region.array();
        for (int p = 1; p + FileFormat.RECORD_HEADER_BYTES <= bytes.length; p++) {
            int length = ByteBuffer.wrap(bytes, p, 4).getInt();
            byte type = bytes[p + 8];
            if (length <= 0 || length > bytes.length - p - FileFormat.RECORD_HEADER_BYTES) {
                continue;
            }
            if (FileFormat.isKnownType(type)
                    && FileFormat.crc(length, type, bytes, p + FileFormat.RECORD_HEADER_BYTES)
                            == ByteBuffer.wrap(bytes, p + 4, 4).getInt()) {
                return OptionalLong.of(bad + p);
            }
        }
        return OptionalLong.empty();
    }
}
