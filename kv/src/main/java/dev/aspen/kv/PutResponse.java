package dev.aspen.kv;

import java.util.Optional;

/** The result of a put: the revision it created and, if asked, the previous key/value. */
public record PutResponse(long revision, Optional<KeyValue> prevKv) implements OpResult {}
