package dev.aspen.mesh.cli;

import dev.aspen.mesh.loadgen.AspenTarget;
import dev.aspen.mesh.loadgen.BenchResult;
import dev.aspen.mesh.loadgen.Consistency;
import dev.aspen.mesh.loadgen.LoadGenerator;
import dev.aspen.mesh.loadgen.LoadSpec;
import dev.aspen.mesh.loadgen.Progress;
import dev.aspen.mesh.loadgen.Target;
import dev.aspen.mesh.loadgen.Workload;
import dev.aspen.tickets.FormatException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code aspen bench WORKLOAD}: drives a cluster with the load generator and prints throughput and
 * latency. Exit 0 when the run ended with at least one successful operation, 1 when none succeeded
 * or the cluster could not be reached, 2 for bad options.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark a cluster: WORKLOAD is put, get, mixed, txn or watch.",
            "Progress goes to stderr; the result (text, or one JSON object with --json) to stdout."
        })
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "WORKLOAD", description = "put, get, mixed, txn or watch.")
    String workload;

    @Mixin
    LoadOptions load = new LoadOptions();

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Override
    public Integer call() throws Exception {
        LoadSpec loadSpec = load.spec(workload);
        PrintWriter err = spec.commandLine().getErr();
        Target.Factory factory = () -> AspenTarget.of(cluster.kvClient());
        BenchResult result = LoadGenerator.run("aspen", loadSpec, factory, load.progress(err));
        return report("aspen", result, cluster.json, spec.commandLine().getOut(), err);
    }

    /**
     * Prints {@code result} (JSON or text) on {@code out} and returns the exit code: 0, or 1 with a
     * line on {@code err}, starting with {@code program}, when no operation succeeded.
     */
    public static int report(String program, BenchResult result, boolean json, PrintWriter out, PrintWriter err) {
        out.println(json ? result.toJson() : result.summary());
        out.flush();
        if (result.ops() == 0) {
            err.println(
                    program + ": no operation succeeded (" + result.errors() + " failed: " + result.errorCodes() + ")");
            return Cli.EXIT_FAILED;
        }
        return 0;
    }

    /** The load generator's options, shared with the side-by-side benchmark's main. */
    public static final class LoadOptions {
        @Option(
                names = "--clients",
                defaultValue = "1",
                description = "Connections to open (default ${DEFAULT-VALUE}).")
        int clients;

        @Option(
                names = "--inflight",
                defaultValue = "16",
                description = "Operations outstanding at once, over all connections (default ${DEFAULT-VALUE}).")
        int inflight;

        @Option(names = "--total", description = "Stop after this many measured operations.")
        Long total;

        @Option(
                names = "--duration",
                converter = DurationConverter.class,
                description = "Measure for this long, e.g. 10s, 500ms, 2m (default 10s unless --total).")
        Duration duration;

        @Option(
                names = "--warmup",
                defaultValue = "2s",
                converter = DurationConverter.class,
                description = "Run this long first, not measured (default ${DEFAULT-VALUE}; 0 for none).")
        Duration warmup;

        @Option(names = "--key-size", defaultValue = "16", description = "Bytes per key (default ${DEFAULT-VALUE}).")
        int keySize;

        @Option(
                names = "--value-size",
                defaultValue = "100",
                description = "Bytes per value (default ${DEFAULT-VALUE}).")
        int valueSize;

        @Option(names = "--keyspace", defaultValue = "10000", description = "Distinct keys (default ${DEFAULT-VALUE}).")
        int keyspace;

        @Option(
                names = "--consistency",
                defaultValue = "linearizable",
                description = "Reads: linearizable (default), lease, or stale (also: serializable).")
        String consistency;

        @Option(
                names = "--read-ratio",
                defaultValue = "0.9",
                description = "mixed: the share of gets, 0 to 1 (default ${DEFAULT-VALUE}).")
        double readRatio;

        @Option(names = "--seed", defaultValue = "1", description = "Seeds key choice (default ${DEFAULT-VALUE}).")
        long seed;

        /**
         * The validated spec for {@code workload}.
         *
         * @throws FormatException naming the bad option
         */
        public LoadSpec spec(String workload) {
            try {
                var builder = LoadSpec.builder(Workload.parse(workload))
                        .clients(clients)
                        .inflight(inflight)
                        .warmup(warmup)
                        .keySize(keySize)
                        .valueSize(valueSize)
                        .keyspace(keyspace)
                        .consistency(Consistency.parse(consistency))
                        .readRatio(readRatio)
                        .seed(seed);
                if (total != null) {
                    builder.total(total);
                }
                if (duration != null) {
                    builder.duration(duration);
                }
                return builder.build();
            } catch (FormatException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new FormatException(e.getMessage());
            }
        }

        /** Progress on {@code err}: an updating line on a terminal, plain lines otherwise. */
        public Progress progress(PrintWriter err) {
            return Progress.printer(err, System.console() != null);
        }
    }

    /** Reads {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}, or a bare number of seconds. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

        @Override
        public Duration convert(String text) {
            Matcher m = FORMAT.matcher(text.strip().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException(
                        "'" + text + "' is not a duration like 10s, 500ms, 2m or 1h");
            }
            long amount = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            };
        }
    }
}
