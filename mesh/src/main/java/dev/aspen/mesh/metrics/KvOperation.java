package dev.aspen.mesh.metrics;

import java.util.Locale;

/** The operations of {@link dev.aspen.kv.KeyValueStore}, as decorators see them. */
enum KvOperation {
    PUT,
    GET,
    DELETE,
    PUT_ALL,
    SCAN,
    TXN,
    LEASE_GRANT,
    LEASE_KEEPALIVE,
    LEASE_REVOKE,
    LEASE_TTL,
    WATCH;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The metric label, for example {@code put_all}. */
    String label() {
        return label;
    }
}
