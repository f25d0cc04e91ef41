package dev.aspen.mesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.mesh.cli.AspenMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aspen node}'s options come from the {@link Setting} table and reach the loader. */
class NodeCommandTest {
    private record Run(int exitCode, String out, String err) {}

    private static Run aspen(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = AspenMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEverySettingWithItsEnvironmentVariable() {
        Run help = aspen("node", "--help");

        assertThat(help.exitCode()).isZero();
        for (Setting<?> setting : Setting.ALL) {
            String flag = setting.isSwitch() ? "--[no-]" + setting.name() : setting.flag() + "=" + setting.paramLabel();
            assertThat(help.out()).contains(flag);
        }
        assertThat(help.out().replaceAll("\\s+", " ")).contains("Env ASPEN_VOTERS, TOML voters; default: 3.");
    }

    @Test
    void aBadFlagIsOneLineOnStderrAndExitTwo() {
        Run run = aspen("node", "--voters", "4");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("aspen: --voters 4 (flag): must be odd (1, 3, 5 or 7)\n");
    }

    @Test
    void flagsOverrideTheConfigFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("aspen.toml"), "voters = 4\n");

        assertThat(aspen("node", "--config", file.toString()).err())
                .isEqualTo("aspen: voters = 4 in " + file + ": must be odd (1, 3, 5 or 7)\n");
        assertThat(aspen("node", "--config", file.toString(), "--voters", "9").err())
                .isEqualTo("aspen: --voters 9 (flag): must be odd (1, 3, 5 or 7)\n");
    }

    @Test
    void theLanSwitchIsNegatableAndTakesNoArgument() {
        assertThat(aspen("node", "--no-lan", "--voters", "4").err())
                .isEqualTo("aspen: --voters 4 (flag): must be odd (1, 3, 5 or 7)\n");
        Run withArgument = aspen("node", "--lan=maybe");
        assertThat(withArgument.exitCode()).isEqualTo(2);
        assertThat(withArgument.err()).startsWith("aspen: ");
    }

    @Test
    void aRepeatedFlagIsAUsageError() {
        Run run = aspen("node", "--voters", "3", "--voters", "5");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--voters").contains("should be specified only once");
    }
}
