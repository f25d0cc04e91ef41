package dev.aspen.mesh.quic;

import java.io.IOException;

/** A handshake that failed; on the dialing side, {@link #reason()} is what the server reported. */
public final class AuthenticationException extends IOException {
    private static final long serialVersionUID = 1L;

    private final AuthFailure reason;

    public AuthenticationException(AuthFailure reason, String message) {
        super(message);
        this.reason = reason;
    }

    public AuthFailure reason() {
        return reason;
    }
}
