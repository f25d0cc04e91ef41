package dev.aspen.mesh.loadgen;

import java.util.Locale;

/** How fresh a benchmark read must be; each {@link Target} maps it to its store's own levels. */
public enum Consistency {
    /** Sees every write acknowledged before the read started (etcd: the default, linearizable). */
    LINEARIZABLE,
    /** Served by the leader under its lease (Aspen only). */
    LEASE,
    /** Served from the contacted node's local state, possibly behind (etcd: serializable). */
    STALE;

    /** The lower-case name used in options and JSON. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The level named {@code text}: {@code linearizable}, {@code lease}, or {@code stale} (also
     * accepted as etcd's {@code serializable}).
     *
     * @throws IllegalArgumentException naming the text when it is none of these
     */
    public static Consistency parse(String text) {
        return switch (text) {
            case "linearizable" -> LINEARIZABLE;
            case "lease" -> LEASE;
            case "stale", "serializable" -> STALE;
            default ->
                throw new IllegalArgumentException(
                        "consistency must be linearizable, lease or stale (serializable), got '" + text + "'");
        };
    }
}
