package dev.aspen.kv;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A set of keys in unsigned byte order: one key, every key with a prefix, or the half-open range
 * {@code [start, end)} (an empty {@code end} means "to the last key"). Arrays are not copied.
 */
public final class KeyRange {
    /** What the range selects. */
    public enum Kind {
        /** Exactly {@link #start()}. */
        KEY,
        /** Every key starting with {@link #start()} (an empty prefix selects every key). */
        PREFIX,
        /** Every key {@code k} with {@code start <= k < end} (empty end: no upper bound). */
        RANGE
    }

    private static final byte[] EMPTY = new byte[0];

    private final Kind kind;
    private final byte[] start;
    private final byte[] end;

    private KeyRange(Kind kind, byte[] start, byte[] end) {
        if (start == null || end == null) {
            throw new IllegalArgumentException("range bounds must not be null");
        }
        this.kind = kind;
        this.start = start;
        this.end = end;
    }

    /** Exactly one key. */
    public static KeyRange key(byte[] key) {
        return new KeyRange(Kind.KEY, key, EMPTY);
    }

    /** Every key starting with {@code prefix}. */
    public static KeyRange prefix(byte[] prefix) {
        return new KeyRange(Kind.PREFIX, prefix, EMPTY);
    }

    /** Keys in {@code [start, end)}; an empty {@code end} has no upper bound. */
    public static KeyRange between(byte[] start, byte[] end) {
        return new KeyRange(Kind.RANGE, start, end);
    }

    /** Rebuilds a range from its parts (used by codecs). */
    public static KeyRange of(Kind kind, byte[] start, byte[] end) {
        return new KeyRange(kind, start, kind == Kind.RANGE ? end : EMPTY);
    }

    /** The kind. */
    public Kind kind() {
        return kind;
    }

    /** The key, the prefix, or the inclusive lower bound. */
    public byte[] start() {
        return start;
    }

    /** The exclusive upper bound of a {@link Kind#RANGE}, empty otherwise or when unbounded. */
    public byte[] end() {
        return end;
    }

    /**
     * The exclusive upper bound of the keys this range can hold, or empty for "no upper bound".
     * For a prefix that is the smallest key greater than every key with the prefix.
     */
    public byte[] upperBound() {
        return switch (kind) {
            case KEY -> keySuccessor(start);
            case RANGE -> end;
            case PREFIX -> prefixEnd(start);
        };
    }

    /** Whether {@code key} is in this range. */
    public boolean contains(byte[] key) {
        return switch (kind) {
            case KEY -> Arrays.equals(start, key);
            case PREFIX -> key.length >= start.length && Arrays.equals(key, 0, start.length, start, 0, start.length);
            case RANGE ->
                Arrays.compareUnsigned(key, start) >= 0 && (end.length == 0 || Arrays.compareUnsigned(key, end) < 0);
        };
    }

    private static byte[] keySuccessor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    private static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xFF) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return EMPTY;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyRange r && kind == r.kind && Arrays.equals(start, r.start) && Arrays.equals(end, r.end);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Arrays.hashCode(start);
    }

    @Override
    public String toString() {
        return kind + "[" + HexFormat.of().formatHex(start)
                + (kind == Kind.RANGE ? ", " + HexFormat.of().formatHex(end) : "") + "]";
    }
}
