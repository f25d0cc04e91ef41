package dev.aspen.mesh.client;

import dev.aspen.kv.KvException;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.wire.KvWire;
import dev.aspen.kv.wire.WireFormatException;
import java.util.Arrays;

/**
 * Aspen's client protocol ({@code aspen/client/1}) on top of the RPC layer: KeyValueStore calls in
 * {@link KvWire} format with a one-byte envelope.
 *
 * <pre>
 * call or watch request   u8 hops | KvWire request
 *                         hops 0: a follower may forward it to the leader; 1: it must not (a
 *                         follower forwarded it already, or the client finds the leader itself)
 * call reply              KvWire response (a response record or an error value)
 * watch message           u8 kind | body: 2 registered (empty), 0 event (KvWire event),
 *                         1 cancelled (KvWire error value; ends the watch)
 * </pre>
 *
 * A request is forwarded at most once, so a leader change in flight cannot make requests loop.
 */
final class ClientProtocol {
    static final int MAX_HOPS = 1;
    /** Hops of a request a follower may forward. */
    static final int FORWARDABLE = 0;
    /** Hops of a request a follower answers itself ({@code not_leader} naming the leader). */
    static final int DIRECT = MAX_HOPS;

    private static final byte EVENT = 0;
    private static final byte CANCELLED = 1;
    private static final byte REGISTERED = 2;

    /** The first message of every watch that the node accepted. */
    static final Object WATCH_REGISTERED = new Object();

    private ClientProtocol() {}

    static byte[] request(int hops, byte[] kvRequest) {
        byte[] out = new byte[1 + kvRequest.length];
        out[0] = (byte) hops;
        System.arraycopy(kvRequest, 0, out, 1, kvRequest.length);
        return out;
    }

    static int hops(byte[] request) {
        if (request.length < 2 || request[0] < 0 || request[0] > MAX_HOPS) {
            throw new WireFormatException("client request has no valid envelope");
        }
        return request[0];
    }

    static byte[] body(byte[] message) {
        return Arrays.copyOfRange(message, 1, message.length);
    }

    static byte[] event(WatchEvent event) {
        return tagged(EVENT, KvWire.encodeEvent(event));
    }

    static byte[] registered() {
        return new byte[] {REGISTERED, 0};
    }

    static byte[] cancelled(KvException reason) {
        return tagged(CANCELLED, KvWire.encodeResponse(reason));
    }

    /**
     * A watch message: {@link #WATCH_REGISTERED}, a {@link WatchEvent}, or the {@link KvException}
     * that ended the watch.
     */
    static Object decodeWatchMessage(byte[] message) {
        if (message.length < 2) {
            throw new WireFormatException("watch message of " + message.length + " bytes is too short");
        }
        return switch (message[0]) {
            case EVENT -> KvWire.decodeEvent(body(message));
            case CANCELLED -> KvWire.decodeResponse(body(message));
            case REGISTERED -> WATCH_REGISTERED;
            default -> throw new WireFormatException("unknown watch message kind " + message[0]);
        };
    }

    private static byte[] tagged(byte tag, byte[] body) {
        byte[] out = new byte[1 + body.length];
        out[0] = tag;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }
}
