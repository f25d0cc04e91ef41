package dev.aspen.kv.internal;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvLimits;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The snapshot stream, cut into chunks of at most {@code maxChunkBytes}: magic {@code AKVS}, format
 * version {@value #VERSION}, the {@link StateMeta}, then per key in unsigned key order a 1 byte, the
 * key, create revision, mod revision, version, lease and value; a 0 byte ends the keys; a big-endian
 * CRC32C of everything before it closes the stream. Two nodes with the same state write the same
 * bytes.
 */
public final class SnapshotCodec {
    /** The snapshot format version. */
    public static final int VERSION = 1;

    private static final byte[] MAGIC = {'A', 'K', 'V', 'S'};

    private SnapshotCodec() {}

    /** Writes {@code state} at {@code appliedIndex} to {@code chunks}. */
    public static void write(KvState state, long appliedIndex, int maxChunkBytes, Consumer<byte[]> chunks) {
        ChunkSink sink = new ChunkSink(maxChunkBytes, chunks);
        ByteWriter w = new ByteWriter(256);
        for (byte b : MAGIC) {
            w.writeByte(b);
        }
        w.writeByte(VERSION);
        state.meta(appliedIndex).writeTo(w);
        sink.write(w.toByteArray());
        state.forEachEntry((key, e) -> {
            w.reset();
            w.writeByte(1).writeBytes(key);
            w.writeVarLong(e.createRevision()).writeVarLong(e.modRevision()).writeVarLong(e.version());
            w.writeVarLong(e.lease()).writeVarLong(e.value().length);
            sink.write(w.toByteArray());
            sink.write(e.value());
        });
        sink.write(new byte[] {0});
        int crc = (int) sink.crc.getValue();
        sink.write(new byte[] {(byte) (crc >>> 24), (byte) (crc >>> 16), (byte) (crc >>> 8), (byte) crc});
        sink.flush();
    }

    /** Checks the stream's magic, version and CRC and returns its reader positioned after the meta. */
    public static ByteReader open(List<byte[]> chunks) {
        ByteReader r = new ByteReader(chunks);
        if (r.remaining() < MAGIC.length + 1 + 4) {
            throw bad("snapshot of " + r.remaining() + " bytes is too short");
        }
        checkCrc(chunks, r.remaining());
        for (byte b : MAGIC) {
            if (r.readByte("snapshot magic") != (b & 0xFF)) {
                throw bad("not an Aspen key/value snapshot (bad magic)");
            }
        }
        int version = r.readByte("snapshot version");
        if (version != VERSION) {
            throw bad("snapshot format version " + version + ", this node reads " + VERSION);
        }
        return r;
    }

    /** Reads the entries after the meta into {@code state}, then checks the trailer. */
    public static void readEntries(ByteReader r, KvState state) {
        while (r.readByte("entry marker") == 1) {
            byte[] key = r.readBytes("key", KvLimits.MAX_KEY_BYTES);
            long create = r.readVarLong("create revision");
            long mod = r.readVarLong("mod revision");
            long version = r.readVarLong("version");
            long lease = r.readVarLong("lease");
            byte[] value = r.readBytes("value", KvLimits.MAX_VALUE_BYTES);
            state.load(key, new StoredEntry(create, mod, version, lease, value.length, value));
        }
        if (r.remaining() != 4) {
            throw bad("snapshot has " + r.remaining() + " bytes after its entries, expected the 4-byte CRC");
        }
    }

    private static void checkCrc(List<byte[]> chunks, long total) {
        CRC32C crc = new CRC32C();
        long left = total - 4;
        byte[] trailer = new byte[4];
        int t = 0;
        for (byte[] c : chunks) {
            int n = (int) Math.min(c.length, Math.max(0, left));
            crc.update(c, 0, n);
            left -= n;
            for (int i = n; i < c.length; i++) {
                trailer[t++] = c[i];
            }
        }
        int expected = ((trailer[0] & 0xFF) << 24)
                | ((trailer[1] & 0xFF) << 16)
                | ((trailer[2] & 0xFF) << 8)
                | (trailer[3] & 0xFF);
        if ((int) crc.getValue() != expected) {
            throw bad("snapshot CRC mismatch: the chunks are corrupt or incomplete");
        }
    }

    private static KvException bad(String message) {
        return KvException.of(ErrorCode.INVALID_ARGUMENT, message);
    }

    /** Cuts a byte stream into chunks of at most {@code max} bytes, keeping a running CRC32C. */
    private static final class ChunkSink {
        final CRC32C crc = new CRC32C();
        private final byte[] buf;
        private final Consumer<byte[]> out;
        private int size;

        ChunkSink(int max, Consumer<byte[]> out) {
            if (max < 1) {
                throw new IllegalArgumentException("maxChunkBytes must be >= 1, was " + max);
            }
            this.buf = new byte[max];
            this.out = out;
        }

        void write(byte[] bytes) {
            crc.update(bytes);
            int done = 0;
            while (done < bytes.length) {
                int n = Math.min(buf.length - size, bytes.length - done);
                System.arraycopy(bytes, done, buf, size, n);
                size += n;
                done += n;
                if (size == buf.length) {
                    flush();
                }
            }
        }

        void flush() {
            if (size > 0) {
                out.accept(java.util.Arrays.copyOf(buf, size));
                size = 0;
            }
        }
    }
}
