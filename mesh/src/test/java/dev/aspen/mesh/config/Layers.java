package dev.aspen.mesh.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The three layers a test gives {@link NodeConfigLoader}, written compactly: {@code --voters=4}
 * is a flag, {@code ASPEN_VOTERS=4} an environment variable, {@code toml:voters = 4} a line of
 * the config file (written to {@code dir/aspen.toml} and passed as {@code --config}).
 */
final class Layers {
    private final Path file;
    private final Map<Setting<?>, String> flags = new HashMap<>();
    private final Map<String, String> env = new HashMap<>();
    private final StringBuilder toml = new StringBuilder();

    Layers(Path dir) {
        this.file = dir.resolve("aspen.toml");
    }

    static Layers of(Path dir, String... settings) {
        var layers = new Layers(dir);
        for (String setting : settings) {
            layers.add(setting);
        }
        return layers;
    }

    Layers add(String setting) {
        if (setting.startsWith("toml:")) {
            toml.append(setting.substring("toml:".length())).append('\n');
        } else if (setting.startsWith("--")) {
            int equals = setting.indexOf('=');
            flags.put(byName(setting.substring(2, equals)), setting.substring(equals + 1));
        } else if (setting.startsWith("ASPEN_")) {
            int equals = setting.indexOf('=');
            env.put(setting.substring(0, equals), setting.substring(equals + 1));
        } else {
            throw new IllegalArgumentException("not a flag, env or toml: setting: " + setting);
        }
        return this;
    }

    Path file() {
        return file;
    }

    Map<String, String> env() {
        return env;
    }

    NodeConfig load() {
        if (!toml.isEmpty()) {
            try {
                Files.writeString(file, toml);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            flags.putIfAbsent(Setting.CONFIG, file.toString());
        }
        return NodeConfigLoader.load(flags, env);
    }

    private static Setting<?> byName(String name) {
        return Setting.ALL.stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no setting " + name));
    }
}
