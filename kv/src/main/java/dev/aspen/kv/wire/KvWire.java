package dev.aspen.kv.wire;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvLimits;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.internal.ByteReader;
import dev.aspen.kv.internal.ByteWriter;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The client wire format of {@link dev.aspen.kv.KeyValueStore} calls: requests, responses (a
 * response record or a {@link KvException} value) and watch events. Every encoding is {@code
 * [version=1][type tag][fields]} (see kv/README.md, "Client wire format"). Stateless and
 * thread-safe; no method blocks.
 *
 * <p>Decoding is strict: an unknown version or tag, truncation, trailing bytes, a length, count or
 * enum outside its limit, or a message above its cap fails with a {@link WireFormatException}
 * naming the field, and no allocation is sized by a length before it is checked against its
 * limit and the bytes left. Decoders throw no other exception.
 */
public final class KvWire {
    /** The format version written first in every encoding. */
    public static final int VERSION = 1;
    /** Largest encoded request: a command at kv's limit plus headroom for the wire's framing. */
    public static final int MAX_REQUEST_BYTES = KvLimits.MAX_COMMAND_BYTES + 4 * 1024;
    /** Largest encoded response: a full scan (16 MiB of data) with ample room for metadata. */
    public static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
    /** Largest encoded watch event: a key/value and its previous key/value at the limits. */
    public static final int MAX_EVENT_BYTES = 2 * (KvLimits.MAX_KEY_BYTES + KvLimits.MAX_VALUE_BYTES) + 1024;

    private KvWire() {}

    /**
     * Encodes a request.
     *
     * @throws KvException {@code invalid_argument} naming the field when a field is null or a
     *     count is negative, {@code too_large} when a key, value, list or the whole request
     *     exceeds its wire limit; a client completes its future with it, as a direct store call
     *     would. Semantic checks (empty key, TTL range, ...) are left to the serving store.
     */
    public static byte[] encodeRequest(KvRequest request) {
        return encode("request", MAX_REQUEST_BYTES, w -> RequestCodec.write(w, request));
    }

    /**
     * Decodes a request.
     *
     * @throws WireFormatException when {@code bytes} are not a valid request encoding
     */
    public static KvRequest decodeRequest(byte[] bytes) {
        return decode(bytes, "request", MAX_REQUEST_BYTES, RequestCodec::read);
    }

    /**
     * Encodes the outcome of a call: one of the response records of {@link
     * dev.aspen.kv.KeyValueStore} or a {@link KvException} (as a value: code wire name, then the
     * leader id for {@code not_leader}, the requested and oldest revisions for {@code compacted},
     * else the message, cut to 4,096 chars). A record that cannot travel (a field or the whole
     * encoding above its wire limit) is replaced by the error value saying why, so the caller
     * receives a {@code too_large} failure rather than nothing.
     *
     * @throws IllegalArgumentException when {@code result} is null or not a response type
     */
    public static byte[] encodeResponse(Object result) {
        try {
            return encode("response", MAX_RESPONSE_BYTES, w -> ResponseCodec.write(w, result));
        } catch (KvException e) {
            return encode("response", MAX_RESPONSE_BYTES, w -> ResponseCodec.write(w, e));
        }
    }

    /**
     * Encodes how a dispatched future completed: its value, or its failure unwrapped from {@link
     * CompletionException}/{@link ExecutionException}. A failure that is not a {@link
     * KvException} travels as {@code unavailable} with its class and message. Never throws for a
     * value of a response type.
     */
    public static byte[] encodeOutcome(Object result, Throwable failure) {
        if (failure == null) {
            return encodeResponse(result);
        }
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof KvException kv) {
            return encodeResponse(kv);
        }
        return encodeResponse(KvException.of(ErrorCode.UNAVAILABLE, "server failed: " + cause));
    }

    /**
     * Decodes a response: the response record, or a {@link KvException} instance for an error
     * value (the caller completes its future exceptionally with it; it is returned, not thrown).
     *
     * @throws WireFormatException when {@code bytes} are not a valid response encoding
     */
    public static Object decodeResponse(byte[] bytes) {
        return decode(bytes, "response", MAX_RESPONSE_BYTES, ResponseCodec::read);
    }

    /**
     * Decodes a response a client expects to be of {@code type}: returns the record, or throws the
     * decoded {@link KvException} when the node answered with an error value (so {@code
     * thenApply(bytes -> KvWire.decodeResponse(bytes, PutResponse.class))} fails the future with
     * it).
     *
     * @throws KvException the error value the node sent
     * @throws WireFormatException when {@code bytes} are not a valid response encoding, or encode a
     *     record of another type
     */
    public static <T> T decodeResponse(byte[] bytes, Class<T> type) {
        Object decoded = decodeResponse(bytes);
        if (decoded instanceof KvException e) {
            throw e;
        }
        if (!type.isInstance(decoded)) {
            throw new WireFormatException("expected a " + type.getSimpleName() + " response, got a "
                    + decoded.getClass().getSimpleName());
        }
        return type.cast(decoded);
    }

    /**
     * Encodes one watch event.
     *
     * @throws KvException {@code invalid_argument} for a null field, {@code too_large} for a key or
     *     value above its limit
     */
    public static byte[] encodeEvent(WatchEvent event) {
        return encode("event", MAX_EVENT_BYTES, w -> ResponseCodec.writeEvent(w, event));
    }

    /**
     * Decodes one watch event.
     *
     * @throws WireFormatException when {@code bytes} are not a valid event encoding
     */
    public static WatchEvent decodeEvent(byte[] bytes) {
        return decode(bytes, "event", MAX_EVENT_BYTES, ResponseCodec::readEvent);
    }

    private static byte[] encode(String what, int maxBytes, Consumer<ByteWriter> body) {
        ByteWriter w = new ByteWriter(64).writeByte(VERSION);
        body.accept(w);
        if (w.size() > maxBytes) {
            throw KvException.of(ErrorCode.TOO_LARGE, what + " encodes to " + w.size() + " bytes, limit " + maxBytes);
        }
        return w.toByteArray();
    }

    private static <T> T decode(byte[] bytes, String what, int maxBytes, Function<ByteReader, T> body) {
        if (bytes == null || bytes.length == 0) {
            throw new WireFormatException(what + " is empty");
        }
        if (bytes.length > maxBytes) {
            throw new WireFormatException(what + " of " + bytes.length + " bytes exceeds the limit " + maxBytes);
        }
        try {
            ByteReader r = new ByteReader(bytes);
            int version = r.readByte("version");
            if (version != VERSION) {
                throw new WireFormatException(what + " format version " + version + ", expected " + VERSION);
            }
            T decoded = body.apply(r);
            r.expectEnd(what);
            return decoded;
        } catch (KvException e) {
            throw new WireFormatException(ResponseCodec.message(e));
        }
    }
}
