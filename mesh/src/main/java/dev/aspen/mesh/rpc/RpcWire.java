package dev.aspen.mesh.rpc;

import dev.aspen.mesh.quic.FrameException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Messages of the request/response protocol, one per frame: {@code u8 type | u64 request id |
 * body}. An empty frame is a nudge (dialer to server) or its echo (server to dialer); it carries
 * nothing and exists to release streams stalled by Kwik's lost-send bug.
 *
 * <pre>
 * dialer -> server  CALL 1, WATCH 2 (body = request), CANCEL 3 (no body)
 * server -> dialer  REPLY 1 (body = response), FAILED 2 (body = UTF-8 reason),
 *                   EVENT 3 (body = event), END 4 (body = UTF-8 reason, empty when normal)
 * </pre>
 */
final class RpcWire {
    static final byte CALL = 1;
    static final byte WATCH = 2;
    static final byte CANCEL = 3;

    static final byte REPLY = 1;
    static final byte FAILED = 2;
    static final byte EVENT = 3;
    static final byte END = 4;

    static final int HEADER_BYTES = 9;

    private RpcWire() {}

    record Message(byte type, long id, byte[] body) {}

    static byte[] encode(byte type, long id, byte[] body) {
        return ByteBuffer.allocate(HEADER_BYTES + body.length)
                .put(type)
                .putLong(id)
                .put(body)
                .array();
    }

    static byte[] encode(byte type, long id, String text) {
        return encode(type, id, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes a non-empty frame; the type is checked by the caller. */
    static Message decode(byte[] frame) throws FrameException {
        if (frame.length < HEADER_BYTES) {
            throw new FrameException("rpc message of " + frame.length + " bytes is shorter than its 9-byte header");
        }
        ByteBuffer in = ByteBuffer.wrap(frame);
        byte type = in.get();
        long id = in.getLong();
        byte[] body = new byte[in.remaining()];
        in.get(body);
        return new Message(type, id, body);
    }

    static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }
}
