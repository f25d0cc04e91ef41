package dev.aspen.kv.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.BiConsumer;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Key to value-and-metadata storage in two persisted Chronicle Maps. Values up to
 * {@link #INLINE_MAX_BYTES} sit with their metadata in the entries map; larger ones are split into
 * {@link #CHUNK_BYTES} chunks in a separate blob map sized for them (a map sized for small values
 * cannot hold a multi-megabyte entry). Chunk keys are the user key followed by a 4-byte chunk number,
 * which cannot collide across keys because every chunk key is exactly 4 bytes longer than its key.
 *
 * <p>Entry value layout: format byte {@value #FORMAT}, flags (1 = chunked), then create revision,
 * mod revision, version, lease and value length as varints, then the inline value bytes.
 *
 * <p>Single-threaded: only the apply thread uses an instance.
 */
public final class ChronicleKeyStore implements AutoCloseable {
    /** Largest value kept inline with its metadata. */
    public static final int INLINE_MAX_BYTES = 1024;
    /** Size of the chunks of larger values. */
    public static final int CHUNK_BYTES = 64 * 1024;

    static final String ENTRIES_FILE = "entries.cm";
    static final String BLOBS_FILE = "blobs.cm";
    private static final int FORMAT = 1;
    private static final int FLAG_CHUNKED = 1;

    private Path dir;
    private final ChronicleMap<byte[], byte[]> entries;
    private final ChronicleMap<byte[], byte[]> blobs;
    private final ByteWriter header = new ByteWriter(64);

    /** Sizing of the two maps; see {@code KvConfig}. */
    public record Sizing(long maxKeys, int averageKeyBytes, int averageValueBytes, long largeValueBytes) {}

    /** Creates the maps in {@code dir}, or opens them when their files exist. */
    public ChronicleKeyStore(Path dir, Sizing sizing) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            entries = ChronicleMap.of(byte[].class, byte[].class)
                    .name("aspen-kv-entries")
                    .averageKeySize(sizing.averageKeyBytes())
                    .averageValueSize(sizing.averageValueBytes() + 16.0)
                    .entries(sizing.maxKeys())
                    .maxBloatFactor(4.0)
                    // The owner closes the maps (and first fingerprints them for the clean-shutdown
                    // marker); Chronicle's own exit hook would close them under it on SIGTERM.
                    .skipCloseOnExitHook(true)
                    .createPersistedTo(dir.resolve(ENTRIES_FILE).toFile());
            blobs = ChronicleMap.of(byte[].class, byte[].class)
                    .name("aspen-kv-blobs")
                    .averageKeySize(sizing.averageKeyBytes() + 4.0)
                    .averageValueSize(CHUNK_BYTES)
                    .entries(Math.max(64, sizing.largeValueBytes() / CHUNK_BYTES + 64))
                    .maxBloatFactor(4.0)
                    .skipCloseOnExitHook(true)
                    .createPersistedTo(dir.resolve(BLOBS_FILE).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the key/value maps in " + dir, e);
        }
    }

    /** The entry under {@code key} with its value ({@code withValue}) or header only; null if absent. */
    public StoredEntry get(byte[] key, boolean withValue) {
        byte[] raw = entries.get(key);
        return raw == null ? null : decode(key, raw, withValue);
    }

    /**
     * Decodes a stored entry. A malformed one is local corruption, not a bad request: it fails with
     * an {@link IllegalStateException} so the group stops instead of diverging.
     */
    private StoredEntry decode(byte[] key, byte[] raw, boolean withValue) {
        try {
            return decodeOrThrow(key, raw, withValue);
        } catch (dev.aspen.kv.KvException e) {
            throw new IllegalStateException("corrupt entry in the key/value map in " + dir + ": " + e.getMessage(), e);
        }
    }

    private StoredEntry decodeOrThrow(byte[] key, byte[] raw, boolean withValue) {
        ByteReader r = new ByteReader(raw);
        if (r.readByte("entry format") != FORMAT) {
            throw new IllegalStateException("unknown entry format in " + dir);
        }
        boolean chunked = (r.readByte("entry flags") & FLAG_CHUNKED) != 0;
        long create = r.readVarLong("create revision");
        long mod = r.readVarLong("mod revision");
        long version = r.readVarLong("version");
        long lease = r.readVarLong("lease");
        int length = r.readVarInt("value length", Integer.MAX_VALUE);
        byte[] value = null;
        if (withValue) {
            value = chunked ? readChunks(key, length) : Arrays.copyOfRange(raw, raw.length - length, raw.length);
        }
        return new StoredEntry(create, mod, version, lease, length, value);
    }

    /**
     * Stores {@code entry} (whose value must be set) under {@code key}; {@code old} is the entry it
     * replaces as returned by {@link #get} (header suffices), or null when the key is new.
     */
    public void put(byte[] key, StoredEntry entry, StoredEntry old) {
        byte[] value = entry.value();
        boolean chunked = value.length > INLINE_MAX_BYTES;
        header.reset();
        header.writeByte(FORMAT).writeByte(chunked ? FLAG_CHUNKED : 0);
        header.writeVarLong(entry.createRevision()).writeVarLong(entry.modRevision());
        header.writeVarLong(entry.version()).writeVarLong(entry.lease()).writeVarLong(value.length);
        byte[] raw = header.toByteArray();
        if (chunked) {
            for (int i = 0; i * CHUNK_BYTES < value.length; i++) {
                int from = i * CHUNK_BYTES;
                blobs.put(
                        chunkKey(key, i), Arrays.copyOfRange(value, from, Math.min(value.length, from + CHUNK_BYTES)));
            }
        } else {
            raw = Arrays.copyOf(raw, raw.length + value.length);
            System.arraycopy(value, 0, raw, raw.length - value.length, value.length);
        }
        entries.put(key, raw);
        if (old != null) {
            removeChunks(key, chunked ? chunkCount(value.length) : 0, chunkCount(old.valueLength()));
        }
    }

    /** Removes {@code key}, whose current entry is {@code old}, and its chunks. */
    public void remove(byte[] key, StoredEntry old) {
        entries.remove(key);
        removeChunks(key, 0, chunkCount(old.valueLength()));
    }

    /** Visits every key with its header (no value), in no particular order. */
    public void forEachHeader(BiConsumer<byte[], StoredEntry> visitor) {
        entries.forEachEntry(e -> {
            byte[] key = e.key().getUsing(null);
            visitor.accept(key, decode(key, e.value().getUsing(null), false));
        });
    }

    /** Bytes of the two map files on disk (allocated size). */
    public long fileBytes() {
        return dir.resolve(ENTRIES_FILE).toFile().length()
                + dir.resolve(BLOBS_FILE).toFile().length();
    }

    /** Records that the directory was renamed to {@code newDir} while the maps stay mapped. */
    public void relocated(Path newDir) {
        dir = newDir;
    }

    /** Whether a value of this length is stored in chunks. */
    public static boolean isChunked(int valueLength) {
        return valueLength > INLINE_MAX_BYTES;
    }

    @Override
    public void close() {
        entries.close();
        blobs.close();
    }

    private byte[] readChunks(byte[] key, int length) {
        byte[] value = new byte[length];
        for (int i = 0; i * CHUNK_BYTES < length; i++) {
            byte[] chunk = blobs.get(chunkKey(key, i));
            int expected = Math.min(CHUNK_BYTES, length - i * CHUNK_BYTES);
            if (chunk == null || chunk.length != expected) {
                throw new IllegalStateException("value chunk " + i + " missing or torn in " + dir);
            }
            System.arraycopy(chunk, 0, value, i * CHUNK_BYTES, expected);
        }
        return value;
    }

    private void removeChunks(byte[] key, int fromChunk, int toChunk) {
        for (int i = fromChunk; i < toChunk; i++) {
            blobs.remove(chunkKey(key, i));
        }
    }

    private static int chunkCount(int valueLength) {
        return isChunked(valueLength) ? (valueLength + CHUNK_BYTES - 1) / CHUNK_BYTES : 0;
    }

    private static byte[] chunkKey(byte[] key, int chunk) {
        byte[] k = Arrays.copyOf(key, key.length + 4);
        k[key.length] = (byte) (chunk >>> 24);
        k[key.length + 1] = (byte) (chunk >>> 16);
        k[key.length + 2] = (byte) (chunk >>> 8);
        k[key.length + 3] = (byte) chunk;
        return k;
    }
}
