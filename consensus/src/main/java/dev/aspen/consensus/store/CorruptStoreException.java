package dev.aspen.consensus.store;

import java.io.IOException;

/**
 * A store directory whose contents cannot be trusted: a corrupt record followed by valid ones, a
 * file with an unknown format version or magic, a record that does not decode, non-contiguous log
 * indexes, or metadata that contradicts the log. The message names the file, the offset where it
 * applies, and what was expected. Opening refuses such a directory instead of dropping data.
 */
public final class CorruptStoreException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptStoreException(String message) {
        super(message);
    }

    public CorruptStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
