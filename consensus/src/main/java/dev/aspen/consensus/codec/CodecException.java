package dev.aspen.consensus.codec;

/**
 * Bytes that are not a valid encoding (unknown format version, unregistered type id, truncated or
 * malformed input, a length above its limit), or a value that cannot be encoded (an unsupported
 * operation or endpoint type). The message names the problem.
 *
 * <p>This is the only exception {@link RaftCodec} throws for bad input.
 */
public final class CodecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
