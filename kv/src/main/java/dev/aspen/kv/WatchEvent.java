package dev.aspen.kv;

import java.util.Optional;

/**
 * One change seen by a watch.
 *
 * @param revision the revision of the change
 * @param type put or delete
 * @param kv the key/value after the change (for a delete: the key, an empty value, version 0)
 * @param prevKv the key/value before the change, when the watch asked for it and the key existed
 */
public record WatchEvent(long revision, Type type, KeyValue kv, Optional<KeyValue> prevKv) {
    /** The kind of change. */
    public enum Type {
        PUT,
        DELETE
    }
}
