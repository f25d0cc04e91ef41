package dev.aspen.mesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.mesh.cli.AspenMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed {@code --config} files for {@code aspen node}, generated from one valid file and the
 * {@link Setting} table: every value cut open, every setting given a value of a type no setting
 * takes, invalid UTF-8, seeded random bytes, a file over the size limit. Each must end the command
 * with exit 2 and one line on stderr that names the file, never a stack trace; none may start a
 * node.
 */
class ConfigFileSweepTest {
    private static final long SEED = 1122L;
    private static final String VALID = String.join(
            "\n",
            "cookie = \"sweep cookie\"",
            "peers = [\"127.0.0.1:7001\", \"127.0.0.1:7002\"]",
            "voters = 3",
            "lan = false",
            "timing = \"wan\"",
            "dead_voter_grace = \"40s\"",
            "");

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> everyMalformedFileIsExitTwoNamingTheFile() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < VALID.length(); i++) {
            char c = VALID.charAt(i);
            boolean opens = c == '[' || c == '"' && (VALID.charAt(i - 1) == ' ' || VALID.charAt(i - 1) == '[');
            if (opens) { // cut right after a value opens: an unterminated string or array
                String cut = VALID.substring(0, i + 1);
                tests.add(sweep("cut at byte " + (i + 1), cut.getBytes(StandardCharsets.UTF_8)));
            }
        }
        for (Setting<?> setting : Setting.ALL) {
            setting.tomlKey().ifPresent(key -> {
                // (not a TOML date: the parser reads one as its text, which a string setting accepts)
                for (String wrong : List.of("{ a = 1 }", "[[1], [2]]", "[1, \"mixed\"]")) {
                    String text = key + " = " + wrong + "\n";
                    tests.add(sweep(key + " of the wrong type: " + wrong, text.getBytes(StandardCharsets.UTF_8)));
                }
            });
        }
        byte[] invalidUtf8 = VALID.getBytes(StandardCharsets.UTF_8);
        invalidUtf8[VALID.indexOf("sweep")] = (byte) 0xC3; // a lead byte followed by ASCII
        tests.add(sweep("invalid UTF-8 inside a string", invalidUtf8));
        Random random = new Random(SEED);
        for (int i = 0; i < 10; i++) {
            byte[] noise = new byte[1 + random.nextInt(400)];
            random.nextBytes(noise);
            noise[0] = '='; // never a valid first byte of a TOML document
            tests.add(sweep("random bytes #" + i, noise));
        }
        byte[] huge =
                ("cookie = \"" + "x".repeat(TomlSettings.MAX_FILE_BYTES) + "\"\n").getBytes(StandardCharsets.UTF_8);
        tests.add(sweep("over the size limit", huge));
        tests.add(sweep("an unknown key", "vorters = 3\n".getBytes(StandardCharsets.UTF_8)));
        tests.add(sweep("a key set twice", "voters = 3\nvoters = 5\n".getBytes(StandardCharsets.UTF_8)));
        return tests.stream();
    }

    private DynamicTest sweep(String name, byte[] content) {
        return DynamicTest.dynamicTest(name, () -> {
            Path file = dir.resolve("case-" + System.nanoTime() + ".toml");
            Files.write(file, content);
            var out = new StringWriter();
            var err = new StringWriter();
            int code = AspenMain.run(
                    new PrintWriter(out, true),
                    new PrintWriter(err, true),
                    "node",
                    "--config",
                    file.toString(),
                    "--data-dir",
                    dir.resolve("never-used").toString());
            assertThat(code).as("%s: exit code; stderr %s", name, err).isEqualTo(2);
            // (a case that starts a node never returns: every case must be invalid)
            assertThat(err.toString())
                    .as(name)
                    .startsWith("aspen: ")
                    .contains(file.toString())
                    .doesNotContain("\tat ")
                    .hasLineCount(1);
            assertThat(dir.resolve("never-used"))
                    .as("%s: no node started", name)
                    .doesNotExist();
        });
    }
}
