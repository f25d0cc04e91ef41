package dev.aspen.mesh.loadgen;

import java.util.Locale;

/** What each benchmark operation does. */
public enum Workload {
    /** Puts a random key of the keyspace. */
    PUT,
    /** Gets a random key of the keyspace (every key is written once before the run). */
    GET,
    /** Gets with probability {@code readRatio}, else puts (every key is written once before the run). */
    MIXED,
    /** A one-compare, one-put transaction on a random key. */
    TXN,
    /**
     * Puts a random key and completes when a watch on the key prefix delivers that put: the latency
     * is put-to-event. Each client connection holds one watch.
     */
    WATCH;

    /** The lower-case name used on the command line and in JSON. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the keyspace is written once before the run so reads find their keys. */
    boolean prefills() {
        return this == GET || this == MIXED;
    }

    /**
     * The workload named {@code text}.
     *
     * @throws IllegalArgumentException naming the text when it is not a workload
     */
    public static Workload parse(String text) {
        for (Workload workload : values()) {
            if (workload.wireName().equals(text)) {
                return workload;
            }
        }
        throw new IllegalArgumentException("workload must be put, get, mixed, txn or watch, got '" + text + "'");
    }
}
