package dev.aspen.examples;

/**
 * A resource that lock holders write to (a file, a row, a device), guarded by fencing tokens: it
 * remembers the largest token it has accepted and refuses any write with a smaller one. That is
 * what makes a lease-based lock safe: a holder that paused past its lease's expiry still believes
 * it holds the lock, but its token is older than the next holder's. Thread-safe.
 */
final class FencedResource {
    private long highestToken;
    private String content = "";

    /** The outcome of a write. */
    record Outcome(boolean accepted, long highestToken) {}

    /** Writes {@code data} if {@code token} is not older than any token accepted before. */
    synchronized Outcome write(String data, long token) {
        if (token < highestToken) {
            return new Outcome(false, highestToken);
        }
        highestToken = token;
        content = data;
        return new Outcome(true, highestToken);
    }

    synchronized String content() {
        return content;
    }
}
