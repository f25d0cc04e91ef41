package dev.aspen.kv.wire;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValue;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvLimits;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.internal.ByteReader;
import dev.aspen.kv.internal.ByteWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Field-level pieces shared by the request and response codecs, on kv's {@link ByteWriter} and
 * {@link ByteReader}. Writers throw {@link KvException} ({@code invalid_argument} for null or
 * negative, {@code too_large} for sizes) naming the field; readers throw {@link
 * WireFormatException} or let the reader's {@link KvException} through (the caller converts it).
 */
final class WireIo {
    /** Longest error message, in chars, that an error value carries; longer ones are cut. */
    static final int MAX_MESSAGE_CHARS = 4096;
    /** Longest encoded text field (message, code name, leader id) in bytes. */
    static final int MAX_TEXT_BYTES = 4 * MAX_MESSAGE_CHARS;

    private WireIo() {}

    /** Writes any long as a zigzag LEB128 varint (1 to 10 bytes). */
    static void writeNumber(ByteWriter w, long v) {
        long u = (v << 1) ^ (v >> 63);
        while ((u & ~0x7FL) != 0) {
            w.writeByte((int) ((u & 0x7F) | 0x80));
            u >>>= 7;
        }
        w.writeByte((int) u);
    }

    /** Reads a {@link #writeNumber} value; more than 64 bits fails. */
    static long readNumber(ByteReader r, String field) {
        long u = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = r.readByte(field);
            if (shift == 63 && b > 1) {
                throw new WireFormatException(field + ": varint longer than 64 bits");
            }
            u |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (u >>> 1) ^ -(u & 1);
            }
        }
        throw new WireFormatException(field + ": varint longer than 64 bits");
    }

    /** Writes an int that must lie in {@code [0, max]}. */
    static void writeBoundedInt(ByteWriter w, String field, int v, int max) {
        if (v < 0) {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, field + " must be >= 0, was " + v);
        }
        if (v > max) {
            throw KvException.of(ErrorCode.TOO_LARGE, field + " is " + v + ", limit " + max);
        }
        w.writeVarLong(v);
    }

    /** Reads a list size in {@code [0, max]} that also fits in the bytes left (one byte per item at least). */
    static int readCount(ByteReader r, String field, int max) {
        int n = r.readVarInt(field, max);
        if (n > r.remaining()) {
            throw new WireFormatException(field + " " + n + " exceeds the " + r.remaining() + " bytes left");
        }
        return n;
    }

    /** Writes a non-null byte string of at most {@code max} bytes. */
    static void writeBytes(ByteWriter w, String field, byte[] bytes, int max) {
        if (bytes == null) {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, field + " must not be null");
        }
        if (bytes.length > max) {
            throw KvException.of(ErrorCode.TOO_LARGE, field + " of " + bytes.length + " bytes, limit " + max);
        }
        w.writeBytes(bytes);
    }

    /** Writes an enum constant's ordinal as one byte. */
    static void writeEnum(ByteWriter w, String field, Enum<?> e) {
        if (e == null) {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, field + " must not be null");
        }
        w.writeByte(e.ordinal());
    }

    /** Reads an ordinal byte of {@code values}. */
    static <E extends Enum<E>> E readEnum(ByteReader r, String field, E[] values) {
        int ordinal = r.readByte(field);
        if (ordinal >= values.length) {
            throw new WireFormatException("unknown " + field + " " + ordinal);
        }
        return values[ordinal];
    }

    /** Kind byte, start, and end for a {@link KeyRange.Kind#RANGE}. */
    static void writeRange(ByteWriter w, KeyRange range) {
        if (range == null) {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, "range must not be null");
        }
        writeEnum(w, "range kind", range.kind());
        writeBytes(w, "range start", range.start(), KvLimits.MAX_KEY_BYTES);
        if (range.kind() == KeyRange.Kind.RANGE) {
            writeBytes(w, "range end", range.end(), KvLimits.MAX_KEY_BYTES);
        }
    }

    static KeyRange readRange(ByteReader r) {
        KeyRange.Kind kind = readEnum(r, "range kind", KeyRange.Kind.values());
        byte[] start = r.readBytes("range start", KvLimits.MAX_KEY_BYTES);
        byte[] end = kind == KeyRange.Kind.RANGE ? r.readBytes("range end", KvLimits.MAX_KEY_BYTES) : new byte[0];
        return KeyRange.of(kind, start, end);
    }

    /** Mode byte, then the minimum revision. */
    static void writeConsistency(ByteWriter w, ReadConsistency c) {
        if (c == null) {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, "consistency must not be null");
        }
        writeEnum(w, "consistency mode", c.mode());
        writeNumber(w, c.minRevision());
    }

    static ReadConsistency readConsistency(ByteReader r) {
        ReadConsistency.Mode mode = readEnum(r, "consistency mode", ReadConsistency.Mode.values());
        long minRevision = readNumber(r, "consistency min revision");
        try {
            return new ReadConsistency(mode, minRevision);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException("consistency: " + e.getMessage());
        }
    }

    static void writeKeyValue(ByteWriter w, KeyValue kv) {
        if (kv == null) {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, "key/value must not be null");
        }
        writeBytes(w, "kv key", kv.key(), KvLimits.MAX_KEY_BYTES);
        writeBytes(w, "kv value", kv.value(), KvLimits.MAX_VALUE_BYTES);
        writeNumber(w, kv.createRevision());
        writeNumber(w, kv.modRevision());
        writeNumber(w, kv.version());
        writeNumber(w, kv.lease());
    }

    static KeyValue readKeyValue(ByteReader r) {
        return new KeyValue(
                r.readBytes("kv key", KvLimits.MAX_KEY_BYTES),
                r.readBytes("kv value", KvLimits.MAX_VALUE_BYTES),
                readNumber(r, "kv create revision"),
                readNumber(r, "kv mod revision"),
                readNumber(r, "kv version"),
                readNumber(r, "kv lease"));
    }

    /** A presence byte, then the key/value if present. */
    static void writeOptionalKv(ByteWriter w, Optional<KeyValue> kv) {
        if (kv == null) {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, "optional key/value must not be null");
        }
        w.writeBool(kv.isPresent());
        kv.ifPresent(v -> writeKeyValue(w, v));
    }

    static Optional<KeyValue> readOptionalKv(ByteReader r, String field) {
        return r.readBool(field + " present") ? Optional.of(readKeyValue(r)) : Optional.empty();
    }

    /** UTF-8 text of at most {@link #MAX_TEXT_BYTES} bytes. */
    static void writeText(ByteWriter w, String field, String text) {
        if (text == null) {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, field + " must not be null");
        }
        writeBytes(w, field, text.getBytes(StandardCharsets.UTF_8), MAX_TEXT_BYTES);
    }

    /** Strict UTF-8: malformed sequences fail instead of turning into replacement chars. */
    static String readText(ByteReader r, String field) {
        byte[] bytes = r.readBytes(field, MAX_TEXT_BYTES);
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new WireFormatException(field + ": malformed UTF-8");
        }
    }
}
