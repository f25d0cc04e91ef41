package dev.aspen.kv.internal;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KvException;
import java.util.List;

/**
 * Strict reader for {@link ByteWriter} output, over one array or a list of chunks read as one
 * stream. Every malformed input (truncation, an over-long varint, a length above the caller's
 * limit, a bad boolean) fails with a {@link KvException} naming the field; no allocation is sized
 * from a length that was not checked against its limit and against the bytes left.
 */
public final class ByteReader {
    private final List<byte[]> chunks;
    private long remaining;
    private int chunk;
    private int pos;

    /** Reads {@code buf} from its start. */
    public ByteReader(byte[] buf) {
        this(List.of(buf));
    }

    /** Reads the concatenation of {@code chunks}. */
    public ByteReader(List<byte[]> chunks) {
        this.chunks = chunks;
        for (byte[] c : chunks) {
            remaining += c.length;
        }
    }

    /** Bytes not read yet. */
    public long remaining() {
        return remaining;
    }

    /** One unsigned byte. */
    public int readByte(String field) {
        if (remaining == 0) {
            throw malformed(field, "truncated");
        }
        while (pos == chunks.get(chunk).length) {
            chunk++;
            pos = 0;
        }
        remaining--;
        return chunks.get(chunk)[pos++] & 0xFF;
    }

    /** A byte that must be 0 or 1. */
    public boolean readBool(String field) {
        int b = readByte(field);
        if (b > 1) {
            throw malformed(field, "boolean byte " + b);
        }
        return b == 1;
    }

    /** A non-negative varint of at most 9 bytes (63 bits). */
    public long readVarLong(String field) {
        long result = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            int b = readByte(field);
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw malformed(field, "varint longer than 9 bytes");
    }

    /** A varint in {@code [0, max]}; above max fails with {@code too_large}. */
    public int readVarInt(String field, int max) {
        long v = readVarLong(field);
        if (v > max) {
            throw KvException.of(ErrorCode.TOO_LARGE, field + " is " + v + ", limit " + max);
        }
        return (int) v;
    }

    /** A length-prefixed byte string of at most {@code maxLength} bytes. */
    public byte[] readBytes(String field, int maxLength) {
        int length = readVarInt(field + " length", maxLength);
        if (length > remaining) {
            throw malformed(field, "length " + length + " exceeds the " + remaining + " bytes left");
        }
        byte[] out = new byte[length];
        int done = 0;
        while (done < length) {
            byte[] c = chunks.get(chunk);
            int n = Math.min(c.length - pos, length - done);
            System.arraycopy(c, pos, out, done, n);
            done += n;
            pos += n;
            if (pos == c.length && done < length) {
                chunk++;
                pos = 0;
            }
        }
        remaining -= length;
        return out;
    }

    /** Fails unless every byte was read. */
    public void expectEnd(String what) {
        if (remaining != 0) {
            throw malformed(what, remaining + " trailing bytes");
        }
    }

    private static KvException malformed(String field, String problem) {
        return KvException.of(ErrorCode.INVALID_ARGUMENT, "malformed " + field + ": " + problem);
    }
}
