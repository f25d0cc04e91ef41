package dev.aspen.tickets;

/**
 * Text or bytes that do not form a valid {@link NodeId}, {@link ClusterTicket} or cookie. The
 * message names the problem in words a user can act on; it never carries a secret.
 *
 * <p>This is the only exception the parsers in this module throw for bad input.
 */
public final class FormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public FormatException(String message) {
        super(message);
    }
}
