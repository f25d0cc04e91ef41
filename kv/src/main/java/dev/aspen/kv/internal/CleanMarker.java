package dev.aspen.kv.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clean-shutdown marker: a file holding the {@link StateMeta} of a cleanly closed state machine
 * and the {@link KvState#fingerprint() fingerprint} of its maps (magic {@code AKVC}, version {@value
 * #VERSION}, meta, fingerprint, CRC32C). Present only between a clean close and the next open, so
 * its absence at open means the map files may be torn; a fingerprint that no longer matches means
 * they were damaged while the node was down.
 */
public final class CleanMarker {
    /** The marker format version. */
    public static final int VERSION = 2;

    static final String FILE = "clean-shutdown";
    private static final Logger LOG = LoggerFactory.getLogger(CleanMarker.class);
    private static final int MAGIC = 0x414B5643;

    private CleanMarker() {}

    /** What a marker holds: the scalar state and the fingerprint of the maps it belongs to. */
    public record Clean(StateMeta meta, int fingerprint) {}

    /** Writes the marker durably (temp file, fsync, atomic rename). */
    public static void write(Path dataDir, Clean clean) {
        ByteWriter w = new ByteWriter(128);
        w.writeByte(MAGIC >>> 24)
                .writeByte(MAGIC >>> 16)
                .writeByte(MAGIC >>> 8)
                .writeByte(MAGIC)
                .writeByte(VERSION);
        clean.meta().writeTo(w);
        w.writeVarLong(Integer.toUnsignedLong(clean.fingerprint()));
        byte[] body = w.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(body);
        ByteBuffer buf = ByteBuffer.allocate(body.length + 4)
                .put(body)
                .putInt((int) crc.getValue())
                .flip();
        Path tmp = dataDir.resolve(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the clean-shutdown marker in " + dataDir, e);
        }
        try {
            Files.move(tmp, dataDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the clean-shutdown marker in " + dataDir, e);
        }
    }

    /**
     * Reads and deletes the marker. Empty when absent, or when unreadable (logged): either way the
     * caller must treat the map files as untrusted.
     */
    public static Optional<Clean> consume(Path dataDir, int maxLeases) {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            Files.delete(file);
            return Optional.ofNullable(parse(bytes, maxLeases, file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the clean-shutdown marker " + file, e);
        }
    }

    private static Clean parse(byte[] bytes, int maxLeases, Path file) {
        if (bytes.length < 9) {
            LOG.warn("clean-shutdown marker {} is truncated ({} bytes); rebuilding state", file, bytes.length);
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
            LOG.warn("clean-shutdown marker {} fails its CRC; rebuilding state", file);
            return null;
        }
        int magic = ByteBuffer.wrap(bytes, 0, 4).getInt();
        if (magic != MAGIC || bytes[4] != VERSION) {
            LOG.warn(
                    "clean-shutdown marker {} has magic {} version {}, expected {} version {}; rebuilding state",
                    file,
                    Integer.toHexString(magic),
                    bytes[4],
                    Integer.toHexString(MAGIC),
                    VERSION);
            return null;
        }
        ByteReader r = new ByteReader(java.util.Arrays.copyOfRange(bytes, 5, bytes.length - 4));
        StateMeta meta = StateMeta.read(r, maxLeases);
        int fingerprint = (int) r.readVarLong("fingerprint");
        r.expectEnd("clean-shutdown marker");
        return new Clean(meta, fingerprint);
    }
}
