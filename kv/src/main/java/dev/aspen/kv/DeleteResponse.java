package dev.aspen.kv;

import java.util.List;

/** The result of a delete: how many keys it removed and, if asked, their last key/values. */
public record DeleteResponse(long revision, long deleted, List<KeyValue> prevKvs) implements OpResult {}
