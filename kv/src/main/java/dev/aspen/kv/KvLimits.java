package dev.aspen.kv;

/** Hard limits of the key/value store. Requests beyond them fail with {@code too_large}. */
public final class KvLimits {
    /** Largest key in bytes (4 KiB). */
    public static final int MAX_KEY_BYTES = 4 * 1024;
    /** Largest value in bytes (4 MiB). */
    public static final int MAX_VALUE_BYTES = 4 * 1024 * 1024;
    /** Most compares, and most operations per branch, in one transaction; most keys in a putAll. */
    public static final int MAX_TXN_OPS = 128;
    /** Most keys one scan returns (a scan with limit 0 uses this). */
    public static final int MAX_SCAN_LIMIT = 10_000;
    /** Most bytes of keys and values one scan returns; a scan stops early, with more = true. */
    public static final int MAX_SCAN_RESPONSE_BYTES = 16 * 1024 * 1024;
    /** Largest encoded command or query (a 4 MiB value plus a 4 KiB key plus headroom). */
    public static final int MAX_COMMAND_BYTES = MAX_VALUE_BYTES + 64 * 1024;
    /** Most leases one expiry command names. */
    public static final int MAX_EXPIRE_BATCH = 1_000;
    /** Shortest lease TTL in seconds. */
    public static final long MIN_LEASE_TTL_SECONDS = 1;
    /** Longest lease TTL in seconds (one year). */
    public static final long MAX_LEASE_TTL_SECONDS = 365L * 24 * 3600;

    private KvLimits() {}
}
