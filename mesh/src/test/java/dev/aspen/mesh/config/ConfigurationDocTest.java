package dev.aspen.mesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/configuration.md's reference section is generated from the {@link Setting} table; this test
 * fails when the two differ, and rewrites the section when run with {@code
 * -Daspen.regenerate-docs=true}.
 */
class ConfigurationDocTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");
    private static final String BEGIN = "<!-- BEGIN settings reference: generated from"
            + " dev.aspen.mesh.config.Setting by ConfigurationDocTest; do not edit by hand -->\n";
    private static final String END = "<!-- END settings reference -->\n";
    private static final String HOW_TO_REGENERATE = "regenerate it with: mvn -B -q -pl mesh -am test"
            + " -Dtest=ConfigurationDocTest -Dsurefire.failIfNoSpecifiedTests=false -Daspen.regenerate-docs=true";

    /** The reference table: one row per setting, in table order. */
    static String reference() {
        var table = new StringBuilder()
                .append("| Flag | Environment | TOML key | Type | Default | Description |\n")
                .append("|---|---|---|---|---|---|\n");
        for (Setting<?> setting : Setting.ALL) {
            String flag = setting.isSwitch()
                    ? code(setting.flag()) + ", " + code("--no-" + setting.name())
                    : code(setting.flag() + " " + setting.paramLabel());
            String defaultValue = setting.defaultText()
                    .filter(text -> !text.isEmpty())
                    .map(ConfigurationDocTest::code)
                    .orElse(cell(setting.defaultDescription()));
            table.append("| ")
                    .append(String.join(
                            " | ",
                            flag,
                            code(setting.env()),
                            setting.tomlKey().map(ConfigurationDocTest::code).orElse("—"),
                            setting.kind().typeName(),
                            defaultValue,
                            cell(setting.explanation())))
                    .append(" |\n");
        }
        return table.toString();
    }

    private static String code(String text) {
        return "`" + text.replace("|", "\\|") + "`";
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Test
    void theExampleFileIsValid(@TempDir Path dir) throws Exception {
        String doc = Files.readString(DOC);
        int start = doc.indexOf("```toml\n") + "```toml\n".length();
        Path example = Files.writeString(dir.resolve("aspen.toml"), doc.substring(start, doc.indexOf("```", start)));

        NodeConfig config = NodeConfigLoader.load(Map.of(Setting.CONFIG, example.toString()), Map.of());

        assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/aspen"));
        assertThat(config.peers()).hasSize(2);
        assertThat(config.lan()).isFalse();
    }

    @Test
    void theReferenceMatchesTheSettingTable() throws Exception {
        String doc = Files.readString(DOC);
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        assertThat(begin).as("%s has the line %s", DOC, BEGIN).isNotNegative();
        assertThat(end).as("%s has the line %s", DOC, END).isGreaterThan(begin);
        String regenerated = doc.substring(0, begin + BEGIN.length()) + reference() + doc.substring(end);
        if (Boolean.getBoolean("aspen.regenerate-docs")) {
            Files.writeString(DOC, regenerated);
            doc = regenerated;
        }
        assertThat(doc)
                .as("%s is out of date with the Setting table; %s", DOC, HOW_TO_REGENERATE)
                .isEqualTo(regenerated);
    }
}
