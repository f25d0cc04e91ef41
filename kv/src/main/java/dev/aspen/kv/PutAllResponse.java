package dev.aspen.kv;

/** The result of an atomic multi-put: the single revision all {@code count} keys got. */
public record PutAllResponse(long revision, int count) {}
