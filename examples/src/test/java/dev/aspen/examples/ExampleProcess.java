package dev.aspen.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs an example's {@code main} in a child JVM, as {@code examples/run.sh} does (same JVM flags,
 * this test's class path), so its output and its exit are real: a main that does not end by itself
 * fails the test at the timeout.
 */
final class ExampleProcess {
    /** Generous: the machines running the tests are small and shared. */
    private static final long TIMEOUT_SECONDS = 240;

    /** What a finished example printed. */
    record Result(int exitCode, List<String> lines, String stderr) {
        /** The one line that matches {@code regex} (anchored at the line's start), as a matcher. */
        Matcher line(String regex) {
            Pattern pattern = Pattern.compile(regex);
            for (String line : lines) {
                Matcher matcher = pattern.matcher(line);
                if (matcher.lookingAt()) {
                    return matcher;
                }
            }
            throw new AssertionError("no line matches '" + regex + "' in:\n" + String.join("\n", lines));
        }

        /** Asserts exit status 0, showing the output when not. */
        Result succeeded() {
            assertThat(exitCode)
                    .as("exit status; stdout:%n%s%nstderr:%n%s", String.join("\n", lines), stderr)
                    .isZero();
            return this;
        }
    }

    private ExampleProcess() {}

    static Result run(Path dir, Class<?> example, String... args) throws Exception {
        return run(dir, Map.of(), example, args);
    }

    static Result run(Path dir, Map<String, String> env, Class<?> example, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-Djava.io.tmpdir=" + dir);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(example.getName());
        command.addAll(List.of(args));
        File out = dir.resolve(example.getSimpleName() + ".out").toFile();
        File err = dir.resolve(example.getSimpleName() + ".err").toFile();
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out)
                .redirectError(err);
        builder.environment().keySet().removeIf(name -> name.startsWith("ASPEN_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError(example.getSimpleName() + " did not end within " + TIMEOUT_SECONDS
                        + " s; output so far:\n" + Files.readString(out.toPath()) + "\nstderr:\n"
                        + Files.readString(err.toPath()));
            }
        } finally {
            process.destroyForcibly();
        }
        return new Result(process.exitValue(), Files.readAllLines(out.toPath()), Files.readString(err.toPath()));
    }

    /** The flags this JVM got from the build (the Chronicle Map flags of aspen.jvm.flags). */
    private static List<String> jvmFlags() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(flag -> flag.startsWith("--add-")
                        || flag.startsWith("--enable-native-access")
                        || flag.startsWith("--sun-misc-unsafe")
                        || flag.startsWith("-Dchronicle."))
                .toList();
    }
}
