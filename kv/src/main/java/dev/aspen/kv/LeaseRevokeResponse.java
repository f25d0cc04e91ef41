package dev.aspen.kv;

/** The result of a revoke (or an expiry): how many attached keys were deleted at {@code revision}. */
public record LeaseRevokeResponse(long revision, long deletedKeys) {}
