package dev.aspen.consensus;

/**
 * The outcome of a replicated command or a query.
 *
 * @param index for a command, the log index it was committed at; for a query, the commit index
 *     the query observed
 * @param value what the state machine returned (may be null)
 */
public record Result(long index, Object value) {}
