package dev.aspen.mesh.quic;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Reproduces Kwik's lost-send bug for tests: every write is held back until the next write on the
 * same stream, so the last frame written is never transmitted unless something writes again.
 */
public final class LostSendStream extends FilterOutputStream {
    private byte[] held;

    public LostSendStream(OutputStream out) {
        super(out);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (held != null) {
            out.write(held);
        }
        held = Arrays.copyOfRange(b, off, off + len);
    }

    @Override
    public void write(byte[] b) throws IOException {
        write(b, 0, b.length);
    }
}
