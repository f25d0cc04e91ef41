package dev.aspen.kv.internal;

import dev.aspen.kv.KeyValue;

/**
 * A key's value and metadata as stored. {@code value} is null when only the header was read.
 *
 * @param valueLength the value's length (also known when the value was not read)
 */
public record StoredEntry(
        long createRevision, long modRevision, long version, long lease, int valueLength, byte[] value) {
    /** The public view under {@code key}; {@code withValue} false gives an empty value. */
    public KeyValue toKeyValue(byte[] key, boolean withValue) {
        return new KeyValue(key, withValue ? value : new byte[0], createRevision, modRevision, version, lease);
    }
}
