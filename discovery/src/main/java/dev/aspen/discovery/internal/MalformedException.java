package dev.aspen.discovery.internal;

/** Bytes from the wire that do not follow their format; the message names the field. */
public final class MalformedException extends RuntimeException {
    /** With a message naming the structure, the field and what was wrong. */
    public MalformedException(String message) {
        super(message);
    }
}
