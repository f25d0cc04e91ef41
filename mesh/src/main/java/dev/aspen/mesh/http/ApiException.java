package dev.aspen.mesh.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KvException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * A failed request as the HTTP API answers it: a status, a wire code and a message, rendered as
 * {@code {"error":{"code":..., "message":..., ...}}}. Store failures ({@link KvException}) map by
 * their {@link ErrorCode}; the HTTP layer adds {@code unauthenticated} (401), {@code
 * method_not_allowed} (405) and {@code internal} (500).
 */
final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, String> headers;
    private final KvException cause;

    private ApiException(int status, String code, String message, Map<String, String> headers, KvException cause) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = Map.copyOf(headers);
        this.cause = cause;
    }

    static ApiException of(int status, String code, String message) {
        return new ApiException(status, code, message, Map.of(), null);
    }

    /** 400 {@code invalid_argument}: a malformed body, field or parameter (the message names it). */
    static ApiException invalid(String message) {
        return of(400, ErrorCode.INVALID_ARGUMENT.wireName(), message);
    }

    /** 404 {@code not_found}. */
    static ApiException notFound(String message) {
        return of(404, ErrorCode.NOT_FOUND.wireName(), message);
    }

    /** 413 {@code too_large}. */
    static ApiException tooLarge(String message) {
        return of(413, ErrorCode.TOO_LARGE.wireName(), message);
    }

    /** 503 {@code unavailable}. */
    static ApiException unavailable(String message) {
        return of(503, ErrorCode.UNAVAILABLE.wireName(), message);
    }

    /** 405 {@code method_not_allowed} with the {@code Allow} header. */
    static ApiException methodNotAllowed(String method, String path, String allow) {
        return new ApiException(
                405,
                "method_not_allowed",
                method + " is not allowed on " + path + "; allowed: " + allow,
                Map.of("Allow", allow),
                null);
    }

    /** 401 {@code unauthenticated} with a {@code WWW-Authenticate} challenge. */
    static ApiException unauthenticated(String message) {
        return new ApiException(401, "unauthenticated", message, Map.of("WWW-Authenticate", "Bearer"), null);
    }

    /**
     * The answer for any failure: this class as is, a store failure by its code (unwrapping
     * completion wrappers), a timeout as {@code unavailable}, anything else as {@code internal}.
     */
    static ApiException from(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ApiException api) {
            return api;
        }
        if (t instanceof KvException kv) {
            return new ApiException(status(kv.code()), kv.code().wireName(), message(kv), Map.of(), kv);
        }
        if (t instanceof TimeoutException) {
            return unavailable("no answer in time; a write's outcome is unknown");
        }
        return of(500, "internal", "internal error: " + t);
    }

    private static int status(ErrorCode code) {
        return switch (code) {
            case NOT_FOUND, LEASE_NOT_FOUND -> 404;
            case INVALID_ARGUMENT -> 400;
            case FAILED_PRECONDITION -> 412;
            case COMPACTED -> 410;
            case TOO_LARGE -> 413;
            case UNAVAILABLE, NOT_LEADER -> 503;
        };
    }

    private static String message(KvException kv) {
        String prefix = kv.code().wireName() + ": ";
        String message = kv.getMessage();
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    Map<String, String> headers() {
        return headers;
    }

    /** Whether this is a failure of the HTTP layer or the server itself rather than of the request. */
    boolean internal() {
        return status == 500;
    }

    /** {@code {"error":{"code","message"[,"leader"][,"oldest_revision"]}}}. */
    ObjectNode toJson() {
        ObjectNode out = Json.object();
        ObjectNode error = out.putObject("error");
        error.put("code", code);
        error.put("message", getMessage());
        if (cause != null && cause.code() == ErrorCode.NOT_LEADER) {
            cause.leaderId().ifPresent(leader -> error.put("leader", leader));
        }
        if (cause != null && cause.code() == ErrorCode.COMPACTED) {
            error.put("oldest_revision", cause.oldestRevision());
        }
        return out;
    }
}
