package dev.aspen.mesh.quic;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Aspen's stream framing: {@code u8 version (1) | u32 length (big-endian) | payload}. Every
 * protocol on every QUIC stream uses it.
 *
 * <p>The length is checked against the reader's limit before anything is allocated, so a peer
 * cannot make a node allocate more than {@code maxFrameBytes} per stream.
 */
public final class Frames {
    /** The framing version this node writes and reads. */
    public static final int VERSION = 1;
    /** Bytes before the payload. */
    public static final int HEADER_BYTES = 5;
    /** Default largest accepted payload. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

    private Frames() {}

    /**
     * Writes one frame with a single {@code write} call, through {@link SendStall#write} (Kwik stream
     * writes are not documented thread-safe: callers serialize writes per stream).
     */
    public static void write(OutputStream out, byte[] payload) throws IOException {
        byte[] frame = new byte[HEADER_BYTES + payload.length];
        frame[0] = VERSION;
        int n = payload.length;
        frame[1] = (byte) (n >>> 24);
        frame[2] = (byte) (n >>> 16);
        frame[3] = (byte) (n >>> 8);
        frame[4] = (byte) n;
        System.arraycopy(payload, 0, frame, HEADER_BYTES, n);
        SendStall.write(out, frame);
        out.flush();
    }

    /**
     * Reads one frame. Blocks until it has arrived.
     *
     * @return the payload, or {@code null} if the stream ended cleanly before a new frame
     * @throws FrameException for an unknown version, a length over {@code maxFrameBytes}, or a stream
     *     that ends inside a frame
     * @throws IOException if the stream fails
     */
    public static byte[] read(InputStream in, int maxFrameBytes) throws IOException {
        int version = in.read();
        if (version < 0) {
            return null;
        }
        if (version != VERSION) {
            throw new FrameException("frame version " + version + " is not supported; this node speaks " + VERSION);
        }
        byte[] header = readFully(in, 4, "frame length");
        long length = ((header[0] & 0xffL) << 24)
                | ((header[1] & 0xff) << 16)
                | ((header[2] & 0xff) << 8)
                | (header[3] & 0xff);
        if (length > maxFrameBytes) {
            throw new FrameException("frame of " + length + " bytes exceeds the limit of " + maxFrameBytes + " bytes");
        }
        return readFully(in, (int) length, "frame payload");
    }

    private static byte[] readFully(InputStream in, int n, String what) throws IOException {
        byte[] bytes = new byte[n];
        int read = 0;
        while (read < n) {
            int r;
            try {
                r = in.read(bytes, read, n - read);
            } catch (EOFException e) {
                r = -1;
            }
            if (r < 0) {
                throw new FrameException(
                        "stream ended inside a frame: " + what + " needs " + n + " bytes, got " + read);
            }
            read += r;
        }
        return bytes;
    }
}
