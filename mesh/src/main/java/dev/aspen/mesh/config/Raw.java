package dev.aspen.mesh.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * A setting's text before parsing, and where it came from in the words messages use: {@code
 * --voters 4 (flag)}, {@code ASPEN_VOTERS=4}, {@code voters = 4 in /etc/aspen.toml} or {@code
 * --voters 3 (default)}. Secret values appear as {@value #HIDDEN}.
 */
record Raw(String text, String where, Layer layer) {
    static final String HIDDEN = "<hidden>";

    /** Where settings come from, lowest precedence first. */
    enum Layer {
        DEFAULT,
        FILE,
        ENV,
        FLAG
    }

    static Raw flag(Setting<?> setting, String text) {
        if (setting.isSwitch() && (text.equals("true") || text.equals("false"))) {
            String flag = text.equals("true") ? setting.flag() : "--no-" + setting.name();
            return new Raw(text, flag + " (flag)", Layer.FLAG);
        }
        return new Raw(text, setting.flag() + " " + shown(setting, text) + " (flag)", Layer.FLAG);
    }

    static Raw env(Setting<?> setting, String text) {
        return new Raw(text, setting.env() + "=" + shown(setting, text), Layer.ENV);
    }

    static Raw file(Setting<?> setting, String key, JsonNode value, Path file) {
        String shown = setting.kind().secret() ? HIDDEN : value.toString();
        return new Raw(setting.kind().tomlType().text(value), key + " = " + shown + " in " + file, Layer.FILE);
    }

    static Raw byDefault(Setting<?> setting, String text) {
        return new Raw(text, setting.flag() + " " + text + " (default)", Layer.DEFAULT);
    }

    private static String shown(Setting<?> setting, String text) {
        return setting.kind().secret() ? HIDDEN : text;
    }
}
