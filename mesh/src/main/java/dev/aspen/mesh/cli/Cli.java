package dev.aspen.mesh.cli;

import dev.aspen.tickets.FormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code aspen} command tree and its error policy: one line on stderr, never a stack trace. */
@Command(
        name = "aspen",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        description = "Aspen: a small, strongly consistent key/value store.",
        subcommands = {
            NodeCommand.class,
            DevCommand.class,
            KvCommand.class,
            LeaseCommand.class,
            ClusterCommand.class,
            TicketCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
final class Cli implements Runnable {
    /** Exit code for a failed operation. */
    static final int EXIT_FAILED = 1;
    /** Exit code for bad usage or bad input. */
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        var commandLine = new CommandLine(new Cli());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((e, args) -> {
            err.println("aspen: " + e.getMessage());
            err.println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return EXIT_USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            err.println("aspen: " + describe(e));
            return e instanceof FormatException ? EXIT_USAGE : EXIT_FAILED;
        });
        return commandLine;
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (try 'aspen --help')");
    }

    /** Reads the version Maven writes into {@code version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            var properties = new Properties();
            try (InputStream in = Cli.class.getResourceAsStream("/dev/aspen/mesh/version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            }
            return new String[] {"aspen " + properties.getProperty("version", "unknown")};
        }
    }
}
