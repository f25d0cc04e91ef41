package dev.aspen.mesh.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * What a handler answers: status, content type, body and extra headers. {@link #DETACHED} means the
 * handler took over the exchange (a server-sent event stream) and answers on its own.
 */
record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json";
    static final Reply DETACHED = new Reply(0, "", new byte[0], Map.of());

    Reply {
        headers = Map.copyOf(headers);
    }

    static Reply json(int status, JsonNode body) {
        return new Reply(status, JSON, Json.bytes(body), Map.of());
    }

    static Reply ok(JsonNode body) {
        return json(200, body);
    }

    static Reply error(ApiException e) {
        return new Reply(e.status(), JSON, Json.bytes(e.toJson()), e.headers());
    }
}
