package dev.aspen.mesh.quic;

import java.io.IOException;

/** Bytes on a stream that do not form a valid frame or message; the stream is closed, not the node. */
public final class FrameException extends IOException {
    private static final long serialVersionUID = 1L;

    public FrameException(String message) {
        super(message);
    }
}
