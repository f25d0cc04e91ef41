package dev.aspen.kv;

import java.util.Locale;

/** The operations of {@link KeyValueStore}, as decorators ({@link ForwardingKeyValueStore}) see them. */
public enum KvOperation {
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
    public String label() {
        return label;
    }
}
