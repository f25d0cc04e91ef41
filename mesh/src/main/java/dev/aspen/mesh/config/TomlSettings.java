package dev.aspen.mesh.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.aspen.tickets.FormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Reads the settings a TOML file holds: top-level keys only, each the TOML key of a {@link Setting}. */
final class TomlSettings {
    /** Largest config file read. */
    static final int MAX_FILE_BYTES = 64 * 1024;

    private static final TomlMapper TOML = new TomlMapper();
    private static final int MAX_SUGGESTION_DISTANCE = 2;
    private static final Pattern KEY_LINE = Pattern.compile("\\s*([A-Za-z0-9_-]+)\\s*=");

    private TomlSettings() {}

    /**
     * The settings in {@code file}, as text with where each came from.
     *
     * @param where how the file was named ({@code --config x (flag)}), for errors about the file itself
     * @throws FormatException for a missing, unreadable or too large file, malformed TOML (with the
     *     line), unknown keys (with the close and the known ones), or a value of the wrong TOML type
     */
    static Map<Setting<?>, Raw> read(Path file, String where) {
        JsonNode root = parse(file, readBytes(file, where));
        List<String> unknown = new ArrayList<>();
        Map<Setting<?>, Raw> settings = new LinkedHashMap<>();
        root.fields().forEachRemaining(field -> {
            Optional<Setting<?>> setting = byKey(field.getKey());
            if (setting.isEmpty()) {
                unknown.add(field.getKey());
                return;
            }
            Raw raw = Raw.file(setting.get(), field.getKey(), field.getValue(), file);
            TomlType expected = setting.get().kind().tomlType();
            if (!expected.accepts(field.getValue())) {
                throw new FormatException(raw.where() + ": must be " + expected.description() + ", not "
                        + TomlType.describe(field.getValue()));
            }
            settings.put(setting.get(), raw);
        });
        if (!unknown.isEmpty()) {
            throw new FormatException(file + ": " + describeUnknown(unknown));
        }
        return settings;
    }

    private static byte[] readBytes(Path file, String where) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new FormatException(where + ": the file is larger than " + MAX_FILE_BYTES + " bytes");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new FormatException(where + ": no such file");
        } catch (IOException e) {
            throw new FormatException(where + ": cannot read the file: " + e.getMessage());
        }
    }

    private static JsonNode parse(Path file, byte[] bytes) {
        try {
            JsonNode root = TOML.readTree(bytes);
            return root == null ? TOML.createObjectNode() : root;
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String line = at == null ? "" : " line " + at.getLineNr() + ", column " + at.getColumnNr();
            String problem = duplicateKey(bytes).orElse(line + ": malformed TOML: " + e.getOriginalMessage());
            throw new FormatException(file + problem);
        } catch (IOException e) {
            throw new FormatException(file + ": cannot read the file: " + e.getMessage());
        }
    }

    /**
     * Jackson notices a duplicate key only after the line's end (and any blank lines after it), so
     * its position can be lines off: name the top-level key and its own line instead.
     */
    private static Optional<String> duplicateKey(byte[] bytes) {
        Set<String> seen = new HashSet<>();
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < lines.length && !lines[i].strip().startsWith("["); i++) {
            Matcher key = KEY_LINE.matcher(lines[i]);
            if (key.lookingAt() && !seen.add(key.group(1))) {
                return Optional.of(" line " + (i + 1) + ": malformed TOML: key '" + key.group(1) + "' is set twice");
            }
        }
        return Optional.empty();
    }

    private static Optional<Setting<?>> byKey(String key) {
        return Setting.ALL.stream()
                .filter(s -> s.tomlKey().filter(key::equals).isPresent())
                .findFirst();
    }

    private static String describeUnknown(List<String> unknown) {
        String keys = unknown.stream()
                .map(key -> "'" + key + "'"
                        + suggestion(key)
                                .map(s -> " (did you mean '" + s + "'?)")
                                .orElse(""))
                .collect(Collectors.joining(", "));
        return (unknown.size() == 1 ? "unknown key " : "unknown keys ") + keys + "; the known keys are "
                + String.join(", ", knownKeys());
    }

    private static List<String> knownKeys() {
        return Setting.ALL.stream().flatMap(s -> s.tomlKey().stream()).toList();
    }

    private static Optional<String> suggestion(String key) {
        String normalized = key.toLowerCase(Locale.ROOT).replace('-', '_');
        String best = null;
        int bestDistance = MAX_SUGGESTION_DISTANCE + 1;
        for (String known : knownKeys()) {
            int distance = distance(normalized, known);
            if (distance < bestDistance) {
                best = known;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Levenshtein distance; cheap here: known keys are short and a file at most {@value #MAX_FILE_BYTES} bytes. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
