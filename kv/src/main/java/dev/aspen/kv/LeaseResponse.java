package dev.aspen.kv;

/** The result of a lease grant or keep-alive: the lease id, its TTL, and the store revision. */
public record LeaseResponse(long id, long ttlSeconds, long revision) {}
