package dev.aspen.kv;

import java.util.List;

/** The result of a scan, in unsigned key order; {@code more} when the limit cut it short. */
public record ScanResponse(long revision, List<KeyValue> kvs, boolean more) implements OpResult {}
