package dev.aspen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code scripts/docs-check.sh}: every command the README and the guides in {@code docs/}
 * mark to run (see docs/development.md, "Commands in the docs") runs in order against the real
 * node processes the docs start, in a fresh directory. A command that exits non-zero fails this
 * test with the script's line {@code docs-check: FAILED DOC:LINE: COMMAND (exit N)} and the output
 * before it; an unmarked {@code sh} block fails it too.
 */
class DocsCommandsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyMarkedCommandInTheDocsSucceeds(@TempDir Path work) throws Exception {
        Path output = work.resolve("docs-check.out");
        ProcessBuilder builder = new ProcessBuilder("bash", "scripts/docs-check.sh")
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("DOCS_CHECK_WORK", work.resolve("docs").toString());
        Process process = builder.start();
        boolean finished = process.waitFor(720, TimeUnit.SECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        String failure = out.lines()
                .filter(line -> line.startsWith("docs-check: FAILED"))
                .findFirst()
                .orElse("");
        assertThat(finished).as("docs-check finished within 720 s:\n%s", out).isTrue();
        assertThat(process.exitValue()).as("%s\n\n%s", failure, out).isZero();
        assertThat(out).contains("docs-check: ok");
    }
}
