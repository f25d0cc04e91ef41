package dev.aspen.mesh.cli;

import dev.aspen.mesh.node.NodeFiles;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.SocketAddresses;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aspen dev}: a local cluster of real node processes on free loopback ports, one command, for
 * trying Aspen out. Each node is {@code aspen node} in its own JVM with its data in {@code
 * DIR/node-N} and its log in {@code DIR/node-N/node.log}; they find each other through {@code
 * --peers} (the LAN beacon stays off) and form the cluster by {@code --bootstrap-expect}. A second
 * run on the same directory restarts the same cluster on the same ports. Ctrl-C stops every node
 * cleanly.
 */
@Command(
        name = "dev",
        mixinStandardHelpOptions = true,
        description = "Run a local cluster of real node processes on loopback (default 3 nodes).")
final class DevCommand implements Callable<Integer> {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--data-dir",
            defaultValue = "aspen-data",
            description = "Where the nodes keep their data, one subdirectory each (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(
            names = "--nodes",
            defaultValue = "3",
            description = "How many nodes (odd, 1 to 7; default ${DEFAULT-VALUE}).")
    int nodes;

    /** One node's ports; QUIC (UDP) and gossip (TCP) share a number. */
    private record Ports(int quic, int http) {}

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || nodes > 7 || nodes % 2 == 0) {
            throw new FormatException("--nodes must be odd, 1 to 7, got " + nodes);
        }
        PrintWriter out = spec.commandLine().getOut();
        Files.createDirectories(dataDir);
        NodeFiles.cookie(dataDir, Optional.empty()); // one cookie for the whole dev cluster, made once
        String cookie = Files.readString(dataDir.resolve(NodeFiles.COOKIE_FILE), StandardCharsets.UTF_8)
                .strip();
        List<Ports> ports = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            ports.add(ports(nodeDir(i), ports));
        }
        String peers = ports.stream()
                .map(p -> SocketAddresses.format(new InetSocketAddress(LOOPBACK, p.quic())))
                .collect(Collectors.joining(","));
        List<Process> processes = new ArrayList<>();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            stopAll(processes);
                            Runtime.getRuntime().halt(0); // Ctrl-C is how a dev cluster ends: a clean stop
                        },
                        "aspen-dev-stop"));
        for (int i = 1; i <= nodes; i++) {
            Path dir = nodeDir(i);
            Files.createDirectories(dir);
            List<String> command = new ArrayList<>(javaCommand());
            command.addAll(List.of(
                    "node",
                    "--data-dir",
                    dir.toString(),
                    "--bootstrap-expect",
                    Integer.toString(nodes),
                    "--no-lan",
                    "--peers",
                    peers,
                    "--quic-port",
                    Integer.toString(ports.get(i - 1).quic()),
                    "--gossip-port",
                    Integer.toString(ports.get(i - 1).quic()),
                    "--http-port",
                    Integer.toString(ports.get(i - 1).http())));
            Path logFile = dir.resolve("node.log");
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put("ASPEN_COOKIE", cookie); // not on the command line, where ps shows it
            processes.add(builder.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start());
        }
        out.println("Starting " + nodes + " nodes in " + dataDir.toAbsolutePath() + " ...");
        out.flush();
        awaitReady(ports, processes);
        out.println("Aspen dev cluster is up: " + nodes + " nodes on 127.0.0.1.");
        for (int i = 1; i <= nodes; i++) {
            out.println("  node-" + i + "  http://127.0.0.1:" + ports.get(i - 1).http() + "   QUIC/gossip 127.0.0.1:"
                    + ports.get(i - 1).quic() + "   log " + nodeDir(i).resolve("node.log"));
        }
        String url = "http://127.0.0.1:" + ports.get(0).http();
        out.println("  ticket  " + NodeFiles.readNodeInfo(nodeDir(1)).ticket());
        out.println("Try:  curl -X PUT " + url + "/v1/kv/hello -d world");
        out.println("      curl "
                + url.replace(
                        Integer.toString(ports.get(0).http()),
                        Integer.toString(ports.get(nodes - 1).http()))
                + "/v1/kv/hello?raw");
        out.println("      curl " + url + "/v1/cluster");
        out.println("      bin/aspen kv get hello --data-dir " + nodeDir(1));
        out.println("Stop with Ctrl-C: every node shuts down cleanly.");
        out.flush();
        new CountDownLatch(1).await();
        return 0;
    }

    private Path nodeDir(int i) {
        return dataDir.resolve("node-" + i);
    }

    /** The ports of the previous run when there was one, else free ones not taken by {@code others}. */
    private static Ports ports(Path dir, List<Ports> others) throws IOException {
        if (Files.exists(dir.resolve(NodeFiles.NODE_FILE))) {
            NodeFiles.NodeInfo info = NodeFiles.readNodeInfo(dir);
            Optional<Integer> http =
                    info.httpAddress().map(a -> SocketAddresses.parse(a).getPort());
            if (http.isPresent()) {
                return new Ports(SocketAddresses.parse(info.quicAddress()).getPort(), http.get());
            }
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            int quic;
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
                    ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 1, LOOPBACK);
                    ServerSocket http = new ServerSocket(0, 1, LOOPBACK)) {
                quic = udp.getLocalPort();
                int httpPort = http.getLocalPort();
                boolean clash =
                        others.stream().anyMatch(p -> p.quic() == quic || p.http() == httpPort || p.quic() == httpPort);
                if (!clash && tcp.getLocalPort() == quic) {
                    return new Ports(quic, httpPort);
                }
            } catch (IOException e) {
                // the TCP twin of this UDP port is taken: try another
            }
        }
        throw new IOException("found no free loopback ports for a node after 100 attempts");
    }

    /** This JVM's own command line (java, its flags, its class path) running {@link AspenMain}. */
    private static List<String> javaCommand() {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(AspenMain.class.getName());
        return command;
    }

    private void awaitReady(List<Ports> ports, List<Process> processes) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        for (int i = 0; i < ports.size(); i++) {
            URI health = URI.create("http://127.0.0.1:" + ports.get(i).http() + "/health");
            while (true) {
                if (!processes.get(i).isAlive()) {
                    throw new IOException("node-" + (i + 1) + " exited with status "
                            + processes.get(i).exitValue() + "; see "
                            + nodeDir(i + 1).resolve("node.log"));
                }
                try {
                    var response = http.send(
                            HttpRequest.newBuilder(health)
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                    if (response.statusCode() == 200
                            && Files.exists(nodeDir(i + 1).resolve(NodeFiles.NODE_FILE))) {
                        break;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("the cluster was not ready within " + READY_TIMEOUT.toSeconds()
                            + " s; see the node logs in " + dataDir);
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
    }

    private static void stopAll(List<Process> processes) {
        processes.forEach(Process::destroy);
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (Process process : processes) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
