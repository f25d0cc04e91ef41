package dev.aspen.mesh.cli;

import java.io.PrintWriter;

/** Entry point of the {@code aspen} command (see {@code bin/aspen}). */
public final class AspenMain {
    /** The status the process is exiting with; 0 until a command returns (a signal stops a node cleanly). */
    private static volatile int exitStatus;

    private AspenMain() {}

    public static void main(String[] args) {
        int status = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        exitStatus = status;
        System.exit(status);
    }

    /** For shutdown hooks that must halt: the status of a command that returned, else 0 (a signal). */
    static int exitStatus() {
        return exitStatus;
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
