package dev.aspen.kv;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One key with its value and metadata. Arrays are not copied: callers must not modify them.
 *
 * @param key the key
 * @param value the value (empty for keys-only scans and delete events)
 * @param createRevision the revision that created the key
 * @param modRevision the revision of the last change (for a delete event: the delete's revision)
 * @param version number of puts since creation (1 after creation, 0 in a delete event)
 * @param lease the attached lease id, 0 for none
 */
public record KeyValue(byte[] key, byte[] value, long createRevision, long modRevision, long version, long lease) {
    @Override
    public boolean equals(Object o) {
        return o instanceof KeyValue kv
                && createRevision == kv.createRevision
                && modRevision == kv.modRevision
                && version == kv.version
                && lease == kv.lease
                && Arrays.equals(key, kv.key)
                && Arrays.equals(value, kv.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key) * 31 + Long.hashCode(modRevision);
    }

    @Override
    public String toString() {
        String shownValue =
                value.length > 64 ? value.length + " bytes" : HexFormat.of().formatHex(value);
        return "KeyValue[key=" + HexFormat.of().formatHex(key) + ", value=" + shownValue + ", create=" + createRevision
                + ", mod=" + modRevision + ", version=" + version + ", lease=" + lease + "]";
    }
}
