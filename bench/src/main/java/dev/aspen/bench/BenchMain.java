package dev.aspen.bench;

import dev.aspen.mesh.cli.BenchCommand;
import dev.aspen.mesh.client.AspenClient;
import dev.aspen.mesh.loadgen.AspenTarget;
import dev.aspen.mesh.loadgen.BenchResult;
import dev.aspen.mesh.loadgen.Consistency;
import dev.aspen.mesh.loadgen.LoadGenerator;
import dev.aspen.mesh.loadgen.LoadSpec;
import dev.aspen.mesh.loadgen.Target;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.FormatException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The side-by-side benchmark: the same load generator and options as {@code aspen bench}, driving
 * either Aspen (a ticket and cookie) or etcd (its client endpoints), printing the same result.
 * Exit 0 done, 1 nothing succeeded or the store could not be reached, 2 bad options.
 */
@Command(
        name = "aspen-bench",
        mixinStandardHelpOptions = true,
        description = "Run a load-generator workload (put, get, mixed, txn, watch) against Aspen or etcd.")
public final class BenchMain implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "WORKLOAD", description = "put, get, mixed, txn or watch.")
    String workload;

    @Option(names = "--system", required = true, description = "aspen or etcd.")
    String system;

    @Option(names = "--ticket", description = "aspen: a cluster ticket.")
    String ticket;

    @Option(names = "--cookie", defaultValue = "${env:ASPEN_COOKIE}", description = "aspen: the cluster cookie.")
    String cookie;

    @Option(
            names = "--endpoints",
            split = ",",
            description = "etcd: client URLs, e.g. http://127.0.0.1:2379,http://127.0.0.1:22379.")
    List<String> endpoints;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Mixin
    BenchCommand.LoadOptions load = new BenchCommand.LoadOptions();

    public static void main(String[] args) {
        var out = new PrintWriter(System.out, true);
        var err = new PrintWriter(System.err, true);
        var commandLine = new CommandLine(new BenchMain());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            err.println("aspen-bench: " + e.getMessage());
            return e instanceof FormatException ? 2 : 1;
        });
        System.exit(commandLine.execute(args)); // Kwik and gRPC leave non-daemon threads behind
    }

    @Override
    public Integer call() throws Exception {
        LoadSpec loadSpec = load.spec(workload);
        if (system.equals("etcd") && loadSpec.consistency() == Consistency.LEASE) {
            throw new FormatException("etcd has no lease reads: use --consistency linearizable or stale");
        }
        Target.Factory factory = factory();
        PrintWriter err = spec.commandLine().getErr();
        BenchResult result = LoadGenerator.run(system, loadSpec, factory, load.progress(err));
        return BenchCommand.report(
                "aspen-bench", result, json, spec.commandLine().getOut(), err);
    }

    private Target.Factory factory() {
        return switch (system) {
            case "aspen" -> {
                if (ticket == null || cookie == null) {
                    throw new FormatException("--system aspen needs --ticket and --cookie (or ASPEN_COOKIE)");
                }
                ClusterTicket parsed = ClusterTicket.parse(ticket);
                yield () -> AspenTarget.of(AspenClient.connect(parsed, cookie));
            }
            case "etcd" -> {
                if (endpoints == null || endpoints.isEmpty()) {
                    throw new FormatException("--system etcd needs --endpoints");
                }
                yield () -> EtcdTarget.connect(endpoints);
            }
            default -> throw new FormatException("--system must be aspen or etcd, got '" + system + "'");
        };
    }
}
