package dev.aspen.tests.chaos;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * N real {@code bin/aspen node} processes on loopback, formed with {@code --bootstrap-expect N},
 * with the process-level faults the nemesis injects: {@code kill -9}, restart with only the data
 * directory, and {@code SIGSTOP}/{@code SIGCONT}. Each node logs to {@code work/n<i>.log}.
 */
final class NodeCluster implements AutoCloseable {
    /** How long a node may take to (re)start and see a leader on a loaded 2-core machine. */
    static final Duration START_LIMIT = Duration.ofSeconds(120);

    private final Path root;
    private final Path work;
    private final int size;
    private final String cookie;
    private final int[] quicPorts;
    private final int[] httpPorts;
    private final Process[] processes;
    private final String[] nodeIds;
    private final Set<Integer> paused = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Http http = new Http(Duration.ofSeconds(3));

    NodeCluster(Path root, Path work, int size, Random random) throws IOException {
        this.root = root;
        this.work = work;
        this.size = size;
        this.cookie = "chaos-" + Long.toHexString(random.nextLong());
        this.quicPorts = new int[size];
        this.httpPorts = new int[size];
        this.processes = new Process[size];
        this.nodeIds = new String[size];
        var taken = new HashSet<Integer>();
        for (int i = 0; i < size; i++) {
            quicPorts[i] = freePort(random, taken);
            httpPorts[i] = freePort(random, taken);
        }
        Files.createDirectories(work);
    }

    int size() {
        return size;
    }

    /** The cluster cookie every node of this run shares. */
    String cookie() {
        return cookie;
    }

    /** Starts every node for the first time and waits until all are healthy. */
    void start() throws IOException {
        String seeds = IntStream.range(0, size)
                .mapToObj(i -> "127.0.0.1:" + quicPorts[i])
                .collect(Collectors.joining(","));
        for (int i = 0; i < size; i++) {
            launch(
                    i,
                    List.of(
                            "--quic-port", String.valueOf(quicPorts[i]),
                            "--gossip-port", String.valueOf(quicPorts[i]),
                            "--http-port", String.valueOf(httpPorts[i]),
                            "--bootstrap-expect", String.valueOf(size),
                            "--peers", seeds));
        }
        awaitAllHealthy();
        for (int i = 0; i < size; i++) {
            nodeIds[i] = Http.JSON
                    .readTree(dataDir(i).resolve("node.json").toFile())
                    .path("node_id")
                    .asText();
        }
    }

    private Path dataDir(int i) {
        return work.resolve("n" + i);
    }

    private void launch(int i, List<String> flags) throws IOException {
        var command = new ArrayList<>(
                List.of("bin/aspen", "node", "--data-dir", dataDir(i).toString()));
        command.addAll(flags);
        var builder = new ProcessBuilder(command)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        work.resolve("n" + i + ".log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put("ASPEN_COOKIE", cookie);
        builder.environment().put("ASPEN_LAN", "false");
        processes[i] = builder.start();
    }

    /** The HTTP base URL of node {@code i}. */
    String url(int i) {
        return "http://127.0.0.1:" + httpPorts[i];
    }

    boolean isRunning(int i) {
        return processes[i] != null && processes[i].isAlive() && !paused.contains(i);
    }

    boolean healthy(int i) {
        try {
            return isRunning(i) && http.get(url(i) + "/health").status() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void awaitAllHealthy() {
        await("every node healthy")
                .atMost(START_LIMIT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> IntStream.range(0, size).allMatch(this::healthy));
    }

    /** The index of the node a running node names as leader, if any does. */
    OptionalInt leader() {
        for (int i = 0; i < size; i++) {
            if (!isRunning(i)) {
                continue;
            }
            try {
                JsonNode status = http.get(url(i) + "/v1/cluster").json();
                String leader = status.path("leader").asText("");
                for (int j = 0; j < size; j++) {
                    if (leader.equals(nodeIds[j])) {
                        return OptionalInt.of(j);
                    }
                }
            } catch (IOException e) {
                // this node does not answer now: ask the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return OptionalInt.empty();
            }
        }
        return OptionalInt.empty();
    }

    /** The ticket a healthy node hands out. */
    String ticket() throws IOException, InterruptedException {
        for (int i = 0; i < size; i++) {
            if (healthy(i)) {
                return http.get(url(i) + "/v1/ticket").json().path("ticket").asText();
            }
        }
        throw new IOException("no healthy node to ask for a ticket");
    }

    /** {@code kill -9} of node {@code i}; returns once the process is gone. */
    void kill(int i) throws InterruptedException {
        Process process = processes[i];
        if (paused.remove(i)) {
            signal(process, "CONT");
        }
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("node " + i + " survived kill -9 for 30 s");
        }
    }

    /** Restarts a killed node with only its data directory (it remembers its ports and cluster). */
    void restart(int i) throws IOException {
        if (processes[i].isAlive()) {
            throw new IllegalStateException("node " + i + " is still running");
        }
        launch(i, List.of());
    }

    /** {@code SIGSTOP}: the process keeps its sockets but does nothing until {@link #resume}. */
    void pause(int i) {
        signal(processes[i], "STOP");
        paused.add(i);
    }

    void resume(int i) {
        if (paused.remove(i)) {
            signal(processes[i], "CONT");
        }
    }

    private static void signal(Process process, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill -" + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + process.pid(), e);
        }
    }

    /** Resumes paused nodes and restarts dead ones, then waits until every node is healthy. */
    void heal() throws IOException {
        for (int i = 0; i < size; i++) {
            resume(i);
            if (!processes[i].isAlive()) {
                restart(i);
            }
        }
        awaitAllHealthy();
    }

    @Override
    public void close() {
        for (int i = 0; i < size; i++) {
            if (processes[i] != null) {
                resume(i);
                processes[i].destroyForcibly();
            }
        }
        for (Process process : processes) {
            if (process != null) {
                try {
                    process.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** A port free for TCP and UDP on 127.0.0.1 (QUIC and gossip share one number). */
    private static int freePort(Random random, Set<Integer> taken) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = 20000 + random.nextInt(30000);
            if (!taken.add(port)) {
                continue;
            }
            try (var tcp = new ServerSocket();
                    var udp = new DatagramSocket(new InetSocketAddress(loopback, port))) {
                tcp.bind(new InetSocketAddress(loopback, port));
                return port;
            } catch (IOException e) {
                // in use: try another
            }
        }
        throw new IOException("no free port pair on 127.0.0.1 after 1000 tries");
    }
}
