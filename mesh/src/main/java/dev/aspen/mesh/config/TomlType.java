package dev.aspen.mesh.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** The TOML value a {@link Kind} takes, and how such a value becomes the setting's text. */
enum TomlType {
    STRING("a string"),
    INTEGER("an integer"),
    BOOLEAN("a boolean (true or false)"),
    STRING_ARRAY("an array of strings");

    private final String description;

    TomlType(String description) {
        this.description = description;
    }

    /** "a string", "an integer", ...: what {@code must be ...} messages say. */
    String description() {
        return description;
    }

    boolean accepts(JsonNode value) {
        return switch (this) {
            case STRING -> value.isTextual();
            case INTEGER -> value.isIntegralNumber();
            case BOOLEAN -> value.isBoolean();
            case STRING_ARRAY -> value.isArray() && allTextual(value);
        };
    }

    /** The value as a flag would give it; an array's strings are joined with commas. */
    String text(JsonNode value) {
        if (this != STRING_ARRAY) {
            return value.asText();
        }
        List<String> items = new ArrayList<>();
        value.forEach(item -> items.add(item.asText()));
        return String.join(",", items);
    }

    /** What a TOML value is, for "must be an integer, not a string". */
    static String describe(JsonNode value) {
        if (value.isTextual()) {
            return "a string";
        } else if (value.isIntegralNumber()) {
            return "an integer";
        } else if (value.isNumber()) {
            return "a float";
        } else if (value.isBoolean()) {
            return "a boolean";
        } else if (value.isArray()) {
            return allTextual(value) ? "an array of strings" : "an array with non-string items";
        }
        return "a table";
    }

    private static boolean allTextual(JsonNode array) {
        for (JsonNode item : array) {
            if (!item.isTextual()) {
                return false;
            }
        }
        return true;
    }
}
