package dev.aspen.discovery;

import java.util.Objects;

/**
 * A change in the {@link PeerDirectory}.
 *
 * @param type what happened
 * @param record the verified record the event is about (for {@link Type#LEFT}, the last one held)
 */
public record PeerEvent(Type type, PeerRecord record) {
    /** The kinds of directory change. */
    public enum Type {
        /** A NodeId entered the directory with a verified record. */
        JOINED,
        /** A NodeId already present got a newer verified record (restart, role or address change). */
        UPDATED,
        /** The node announced it is leaving; it stays in the directory until {@link #LEFT}. */
        SUSPECT,
        /** The node left the directory: graceful leave completed, or SWIM declared it dead. */
        LEFT
    }

    /** Both fields are required. */
    public PeerEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(record, "record");
    }
}
