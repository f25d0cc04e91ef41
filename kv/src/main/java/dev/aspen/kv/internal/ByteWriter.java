package dev.aspen.kv.internal;

import java.util.Arrays;

/** A growable byte buffer with unsigned LEB128 varints and length-prefixed byte strings. */
public final class ByteWriter {
    private byte[] buf;
    private int size;

    /** A writer with {@code initialCapacity} bytes reserved. */
    public ByteWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    /** Appends one byte. */
    public ByteWriter writeByte(int b) {
        ensure(1);
        buf[size++] = (byte) b;
        return this;
    }

    /** Appends 0 or 1. */
    public ByteWriter writeBool(boolean b) {
        return writeByte(b ? 1 : 0);
    }

    /** Appends a non-negative long as an unsigned LEB128 varint (1 to 9 bytes for these values). */
    public ByteWriter writeVarLong(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("varint must be >= 0, was " + v);
        }
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
        return this;
    }

    /** Appends a varint length and the bytes. */
    public ByteWriter writeBytes(byte[] bytes) {
        writeVarLong(bytes.length);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
        return this;
    }

    /** Bytes written so far. */
    public int size() {
        return size;
    }

    /** A copy of the bytes written. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /** Forgets everything written, keeping the buffer. */
    public void reset() {
        size = 0;
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            long wanted = Math.max((long) buf.length * 2, (long) size + extra);
            if (wanted > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("buffer would exceed 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) wanted);
        }
    }
}
