package dev.aspen.kv;

import java.util.Optional;

/** The result of a get: the key/value if present, as of {@code revision}. */
public record GetResponse(long revision, Optional<KeyValue> kv) implements OpResult {}
