package dev.aspen.mesh.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One request being answered: its method, what the route captured, its query parameters (each
 * allowed at most once), its body (read at most once, size-limited) and a bounded wait for the
 * store's futures. Every bad input fails with {@link ApiException} naming the parameter.
 */
final class Call {
    private final HttpExchange exchange;
    private final List<String> captured;
    private final Map<String, String> query;
    private final int maxBodyBytes;
    private final Duration timeout;

    Call(HttpExchange exchange, List<String> captured, int maxBodyBytes, Duration timeout) {
        this.exchange = exchange;
        this.captured = captured;
        this.query = parseQuery(exchange.getRequestURI().getRawQuery());
        this.maxBodyBytes = maxBodyBytes;
        this.timeout = timeout;
    }

    HttpExchange exchange() {
        return exchange;
    }

    /** The {@code i}-th captured path part, percent-decoded to bytes; {@code what} names it in errors. */
    byte[] pathBytes(int i, String what) {
        return percentDecode(captured.get(i), false, what);
    }

    /** The {@code i}-th captured path part as UTF-8 text. */
    String pathText(int i, String what) {
        return utf8(pathBytes(i, what), what);
    }

    /** Fails naming the first query parameter not in {@code allowed}. */
    void allowOnly(String... allowed) {
        Set<String> names = Set.of(allowed);
        for (String name : query.keySet()) {
            if (!names.contains(name)) {
                throw ApiException.invalid("unknown parameter '" + name + "'"
                        + (allowed.length == 0
                                ? "; this route takes none"
                                : "; allowed: " + String.join(", ", allowed)));
            }
        }
    }

    boolean has(String name) {
        return query.containsKey(name);
    }

    Optional<byte[]> bytes(String name) {
        return Optional.ofNullable(query.get(name)).map(raw -> percentDecode(raw, true, "parameter '" + name + "'"));
    }

    Optional<String> text(String name) {
        return bytes(name).map(b -> utf8(b, "parameter '" + name + "'"));
    }

    /** Absent: false; present with no value, {@code true} or {@code false}: that. */
    boolean flag(String name) {
        return text(name)
                .map(v -> switch (v) {
                    case "", "true" -> true;
                    case "false" -> false;
                    default ->
                        throw ApiException.invalid("parameter '" + name + "' must be true or false, got '" + v + "'");
                })
                .orElse(false);
    }

    /** A decimal integer in {@code [min, max]}, or {@code absent}. */
    long number(String name, long min, long max, long absent) {
        return text(name)
                .map(v -> parseNumber(v, min, max, "parameter '" + name + "'"))
                .orElse(absent);
    }

    static long parseNumber(String text, long min, long max, String what) {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw ApiException.invalid(what + " must be an integer, got '" + text + "'");
        }
        if (value < min || value > max) {
            throw ApiException.invalid(what + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /**
     * The request body, at most the configured limit.
     *
     * @throws ApiException 413 {@code too_large} beyond the limit, after reading and discarding up to
     *     another limit's worth of the body so the client gets the answer rather than a reset
     *     connection (a larger body may still see its connection closed)
     */
    byte[] body() throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        try (InputStream in = exchange.getRequestBody()) {
            if (length != null
                    && length.length() < 19
                    && length.chars().allMatch(Character::isDigit)
                    && Long.parseLong(length) > maxBodyBytes) {
                throw tooLarge(in);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (out.size() + n > maxBodyBytes) {
                    throw tooLarge(in);
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    private ApiException tooLarge(InputStream in) throws IOException {
        byte[] discard = new byte[8192];
        long drained = 0;
        for (int n = 0; n >= 0 && drained <= maxBodyBytes; n = in.read(discard)) {
            drained += n;
        }
        return ApiException.tooLarge("request body is larger than " + maxBodyBytes + " bytes");
    }

    /** The body as JSON, or {@code null} when the body is empty. */
    JsonNode json() throws IOException {
        return Json.parse(body());
    }

    /** The body as a JSON object; an empty body is refused. */
    JsonNode jsonObject() throws IOException {
        JsonNode body = json();
        if (body == null) {
            throw ApiException.invalid("request body is required: a JSON object");
        }
        return Json.requireObject(body, "");
    }

    /**
     * Waits for {@code future} up to the request timeout.
     *
     * @throws ApiException mapped from its failure, or {@code unavailable} on timeout
     */
    <T> T await(CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            throw ApiException.from(e);
        }
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = utf8(
                    percentDecode(eq < 0 ? pair : pair.substring(0, eq), true, "a parameter name"), "a parameter name");
            if (out.put(name, eq < 0 ? "" : pair.substring(eq + 1)) != null) {
                throw ApiException.invalid("parameter '" + name + "' is given more than once");
            }
        }
        return out;
    }

    /** Decodes {@code %XX} escapes (and {@code +} as a space in a query) to bytes. */
    static byte[] percentDecode(String raw, boolean plusIsSpace, String what) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
                if (lo < 0) {
                    throw ApiException.invalid(what + " has a bad percent-escape at position " + i);
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                out.write(' ');
            } else {
                int codePoint = raw.codePointAt(i);
                byte[] encoded = new String(Character.toChars(codePoint)).getBytes(UTF_8);
                out.write(encoded, 0, encoded.length);
                i += Character.charCount(codePoint) - 1;
            }
        }
        return out.toByteArray();
    }

    private static String utf8(byte[] bytes, String what) {
        try {
            return UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ApiException.invalid(what + " is not UTF-8 text");
        }
    }
}
