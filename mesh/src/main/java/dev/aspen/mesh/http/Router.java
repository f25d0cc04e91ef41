package dev.aspen.mesh.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Maps a method and a raw (still percent-encoded) path to a handler. Patterns are literal segments
 * and {@code {}} for one non-empty segment, or a literal prefix followed by {@code /**} for the rest
 * of the path (which may contain {@code /} or be empty). Captured parts are handed over raw; handlers
 * decode them.
 */
final class Router {
    /** Answers one request. */
    @FunctionalInterface
    interface Handler {
        Reply handle(Call call) throws Exception;
    }

    /** The handlers of a matched path by method, and what the pattern captured. */
    record Match(Map<String, Handler> methods, List<String> captured) {
        String allow() {
            return String.join(", ", methods.keySet());
        }
    }

    /** {@code segments} for an exact pattern, or {@code restPrefix} for a prefix pattern. */
    private record Route(List<String> segments, String restPrefix, Map<String, Handler> methods) {}

    private final List<Route> routes = new ArrayList<>();

    /** Adds {@code method pattern}; patterns registered earlier win. */
    Router add(String method, String pattern, Handler handler) {
        String restPrefix = pattern.endsWith("/**") ? pattern.substring(0, pattern.length() - 2) : null;
        if (restPrefix != null && restPrefix.contains("{}")) {
            throw new IllegalArgumentException("a prefix pattern must be literal: " + pattern);
        }
        List<String> segments = restPrefix == null ? split(pattern) : List.of();
        Route route = routes.stream()
                .filter(r -> r.segments.equals(segments) && Objects.equals(r.restPrefix, restPrefix))
                .findFirst()
                .orElseGet(() -> {
                    Route created = new Route(segments, restPrefix, new LinkedHashMap<>());
                    routes.add(created);
                    return created;
                });
        if (route.methods.putIfAbsent(method, handler) != null) {
            throw new IllegalArgumentException("route registered twice: " + method + " " + pattern);
        }
        return this;
    }

    Optional<Match> match(String rawPath) {
        List<String> parts = split(rawPath);
        for (Route route : routes) {
            List<String> captured = route.restPrefix == null ? capture(route.segments, parts) : rest(route, rawPath);
            if (captured != null) {
                return Optional.of(new Match(route.methods, captured));
            }
        }
        return Optional.empty();
    }

    private static List<String> rest(Route route, String rawPath) {
        return rawPath.startsWith(route.restPrefix) ? List.of(rawPath.substring(route.restPrefix.length())) : null;
    }

    private static List<String> capture(List<String> segments, List<String> parts) {
        if (parts.size() != segments.size()) {
            return null;
        }
        List<String> captured = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            String want = segments.get(i);
            if (want.equals("{}") && !parts.get(i).isEmpty()) {
                captured.add(parts.get(i));
            } else if (!want.equals(parts.get(i))) {
                return null;
            }
        }
        return captured;
    }

    private static List<String> split(String path) {
        return List.of((path.startsWith("/") ? path.substring(1) : path).split("/", -1));
    }
}
