package dev.aspen.mesh.cli;

import java.io.PrintWriter;

/** Entry point of the {@code aspen} command (see {@code bin/aspen}). */
public final class AspenMain {
    private AspenMain() {}

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs the CLI with the given streams.
     *
     * @return the exit code: 0 success, 1 the operation failed, 2 bad usage or bad input
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return Cli.commandLine(out, err).execute(args);
    }
}
