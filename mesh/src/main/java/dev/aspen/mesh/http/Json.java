package dev.aspen.mesh.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aspen.kv.KeyValue;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Base64;
import java.util.Optional;

/**
 * JSON reading with errors that name the offending field (by its path, such as {@code
 * compare[0].target}), and the JSON form of a key/value. Keys travel as UTF-8 text, values as
 * base64. Unknown fields are ignored.
 */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    /** Parses a request body; an empty body is {@code null}. */
    static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw ApiException.invalid("request body is not valid JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.invalid("request body is not valid JSON: " + e.getMessage());
        }
    }

    /** {@code parent.name} for messages; just {@code name} at the top level. */
    static String path(String parent, String name) {
        return parent.isEmpty() ? name : parent + "." + name;
    }

    static JsonNode requireObject(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw ApiException.invalid(
                    (path.isEmpty() ? "request body" : "field '" + path + "'") + " must be a JSON object");
        }
        return node;
    }

    /** The field, or empty when it is absent or {@code null}. */
    static Optional<JsonNode> optional(JsonNode object, String name) {
        JsonNode value = object.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    static JsonNode required(JsonNode object, String name, String parent) {
        return optional(object, name)
                .orElseThrow(() -> ApiException.invalid("field '" + path(parent, name) + "' is required"));
    }

    static String text(JsonNode value, String path) {
        if (!value.isTextual()) {
            throw ApiException.invalid("field '" + path + "' must be a string");
        }
        return value.asText();
    }

    static String text(JsonNode object, String name, String parent) {
        return text(required(object, name, parent), path(parent, name));
    }

    static Optional<String> optionalText(JsonNode object, String name, String parent) {
        return optional(object, name).map(v -> text(v, path(parent, name)));
    }

    static long integer(JsonNode value, String path) {
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw ApiException.invalid("field '" + path + "' must be an integer");
        }
        return value.asLong();
    }

    static long integer(JsonNode object, String name, String parent) {
        return integer(required(object, name, parent), path(parent, name));
    }

    static long integer(JsonNode object, String name, String parent, long absent) {
        return optional(object, name).map(v -> integer(v, path(parent, name))).orElse(absent);
    }

    static boolean bool(JsonNode object, String name, String parent, boolean absent) {
        return optional(object, name)
                .map(v -> {
                    if (!v.isBoolean()) {
                        throw ApiException.invalid("field '" + path(parent, name) + "' must be true or false");
                    }
                    return v.asBoolean();
                })
                .orElse(absent);
    }

    /** A key given as text (UTF-8). */
    static byte[] key(JsonNode object, String name, String parent) {
        return text(object, name, parent).getBytes(UTF_8);
    }

    /** Bytes given as standard base64. */
    static byte[] base64(JsonNode object, String name, String parent) {
        String text = text(object, name, parent);
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("field '" + path(parent, name) + "' must be base64: " + e.getMessage());
        }
    }

    static NodeId nodeId(JsonNode value, String path) {
        try {
            return NodeId.parse(text(value, path));
        } catch (FormatException e) {
            throw ApiException.invalid("field '" + path + "': " + e.getMessage());
        }
    }

    static InetSocketAddress address(JsonNode value, String path) {
        try {
            return SocketAddresses.parse(text(value, path));
        } catch (FormatException e) {
            throw ApiException.invalid("field '" + path + "': " + e.getMessage());
        }
    }

    /**
     * {@code {"key","value","create_revision","mod_revision","version","lease"}}, the value in base64
     * and left out when {@code withValue} is false (keys-only reads).
     */
    static ObjectNode kv(KeyValue kv, boolean withValue) {
        ObjectNode out = object();
        out.put("key", new String(kv.key(), UTF_8));
        if (withValue) {
            out.put("value", Base64.getEncoder().encodeToString(kv.value()));
        }
        out.put("create_revision", kv.createRevision());
        out.put("mod_revision", kv.modRevision());
        out.put("version", kv.version());
        out.put("lease", kv.lease());
        return out;
    }

    /** {@link #kv} with the value, or JSON {@code null}. */
    static JsonNode kvOrNull(Optional<KeyValue> kv) {
        return kv.<JsonNode>map(k -> kv(k, true)).orElse(MAPPER.nullNode());
    }
}
