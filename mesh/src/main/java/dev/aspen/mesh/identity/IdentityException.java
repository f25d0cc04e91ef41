package dev.aspen.mesh.identity;

/** A node identity file that exists but cannot be used; the message names the file and the problem. */
public final class IdentityException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    public IdentityException(String message) {
        super(message);
    }
}
