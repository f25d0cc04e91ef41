package dev.aspen.kv.wire;

/**
 * Bytes that are not a valid {@link KvWire} encoding: an unknown format version or type tag, a
 * truncated or over-long message, trailing bytes, or a length, count or enum outside its limit.
 * The message names the field. This is the only exception {@link KvWire}'s decoders throw for bad
 * input; a peer that sends such bytes is broken or speaks another version.
 */
public final class WireFormatException extends RuntimeException {
    /** A failure described by {@code message}, which names the offending field. */
    public WireFormatException(String message) {
        super(message, null, false, false);
    }
}
