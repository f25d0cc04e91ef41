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
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
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
    private final Random random;
    private final boolean faultInjection;
    private final Set<Integer> takenPorts = new HashSet<>();
    private final AtomicIntegerArray quicPorts;
    private final AtomicIntegerArray httpPorts;
    private final Process[] processes;
    private final AtomicReferenceArray<String> nodeIds;
    private final Set<Integer> paused = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Http http = new Http(Duration.ofSeconds(3));
    /** Membership changes wait for a commit (the node's own bound is 30 s). */
    private final Http adminHttp = new Http(Duration.ofSeconds(40));

    /**
     * @param faultInjection start the nodes with {@code --fault-injection}, which serves {@code
     *     /v1/debug/faults} (needed by {@link #block})
     */
    NodeCluster(Path root, Path work, int size, Random random, boolean faultInjection) throws IOException {
        this.root = root;
        this.work = work;
        this.size = size;
        this.random = random;
        this.faultInjection = faultInjection;
        this.cookie = "chaos-" + Long.toHexString(random.nextLong());
        this.quicPorts = new AtomicIntegerArray(size);
        this.httpPorts = new AtomicIntegerArray(size);
        this.processes = new Process[size];
        this.nodeIds = new AtomicReferenceArray<>(size);
        for (int i = 0; i < size; i++) {
            quicPorts.set(i, freePort(random, takenPorts));
            httpPorts.set(i, freePort(random, takenPorts));
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
        String seeds = IntStream.range(0, size).mapToObj(this::quicAddress).collect(Collectors.joining(","));
        for (int i = 0; i < size; i++) {
            var flags = new ArrayList<>(portFlags(i));
            flags.addAll(List.of("--bootstrap-expect", String.valueOf(size), "--peers", seeds));
            launch(i, flags);
        }
        awaitAllHealthy();
        for (int i = 0; i < size; i++) {
            readNodeId(i);
        }
    }

    private List<String> portFlags(int i) {
        return List.of(
                "--quic-port", String.valueOf(quicPorts.get(i)),
                "--gossip-port", String.valueOf(quicPorts.get(i)),
                "--http-port", String.valueOf(httpPorts.get(i)));
    }

    private void readNodeId(int i) throws IOException {
        nodeIds.set(
                i,
                Http.JSON
                        .readTree(dataDir(i).resolve("node.json").toFile())
                        .path("node_id")
                        .asText());
    }

    /** Node {@code i}'s QUIC address, {@code 127.0.0.1:port}. */
    String quicAddress(int i) {
        return "127.0.0.1:" + quicPorts.get(i);
    }

    /** Node {@code i}'s NodeId text. */
    String nodeId(int i) {
        return nodeIds.get(i);
    }

    private Path dataDir(int i) {
        return work.resolve("n" + i);
    }

    private void launch(int i, List<String> flags) throws IOException {
        var command = new ArrayList<>(
                List.of("bin/aspen", "node", "--data-dir", dataDir(i).toString()));
        command.addAll(flags);
        if (faultInjection) {
            command.add("--fault-injection");
        }
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
        return "http://127.0.0.1:" + httpPorts.get(i);
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
                    if (leader.equals(nodeIds.get(j))) {
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

    /** The ticket node {@code via} hands out. */
    String ticket(int via) throws IOException, InterruptedException {
        return http.get(url(via) + "/v1/ticket").json().path("ticket").asText();
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

    /**
     * Sends a cluster administration request ({@code /v1/cluster/...}, docs/http-api.md) to node
     * {@code via}; the answer, whatever its status.
     */
    Http.Answer admin(int via, String method, String path, String body) throws IOException, InterruptedException {
        return adminHttp.send(method, url(via) + path, body);
    }

    /** The role ({@code voter}, {@code learner}) of node {@code i} in the membership node {@code via} reports; "" if absent. */
    String role(int via, int i) throws IOException, InterruptedException {
        for (JsonNode member : http.get(url(via) + "/v1/cluster").json().path("members")) {
            if (member.path("node_id").asText().equals(nodeIds.get(i))) {
                return member.path("role").asText();
            }
        }
        return "";
    }

    /**
     * Replaces node {@code i} by a fresh node: kills it, deletes its data directory, and starts it on
     * new ports with only the cluster's ticket ({@code --ticket}), so it joins as a new learner with
     * a new identity. Returns once the process is started; its NodeId is known once it is healthy.
     */
    void replaceWithFreshNode(int i, String ticket) throws IOException, InterruptedException {
        if (processes[i].isAlive()) {
            kill(i);
        }
        deleteTree(dataDir(i));
        quicPorts.set(i, freePort(random, takenPorts));
        httpPorts.set(i, freePort(random, takenPorts));
        nodeIds.set(i, "");
        var flags = new ArrayList<>(portFlags(i));
        flags.addAll(List.of("--ticket", ticket));
        launch(i, flags);
        await("the fresh node " + i + " healthy")
                .atMost(START_LIMIT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> healthy(i) && Files.exists(dataDir(i).resolve("node.json")));
        readNodeId(i);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * Blocks (or, with {@code heal}, unblocks) node {@code i}'s QUIC traffic to and from the nodes
     * {@code peers}, through the node's fault-injection route {@code POST /v1/debug/faults}. One
     * direction per call: to cut a link both ways, block on both ends.
     */
    void block(int i, Set<Integer> peers, boolean heal) throws IOException, InterruptedException {
        requireFaultInjection();
        var body = Http.JSON.createObjectNode();
        var list = body.putArray(heal ? "heal" : "block");
        peers.forEach(p -> list.add(quicAddress(p)));
        expectOk(i, "POST", body.toString());
    }

    /** Heals every link of node {@code i} ({@code DELETE /v1/debug/faults}). */
    void healLinks(int i) throws IOException, InterruptedException {
        requireFaultInjection();
        expectOk(i, "DELETE", null);
    }

    private void requireFaultInjection() {
        if (!faultInjection) {
            throw new IllegalStateException("partitions need the nodes started with --fault-injection");
        }
    }

    private void expectOk(int i, String method, String body) throws IOException, InterruptedException {
        Http.Answer answer = http.send(method, url(i) + "/v1/debug/faults", body);
        if (answer.status() / 100 != 2) {
            throw new IOException(
                    method + " /v1/debug/faults on node " + i + ": " + answer.status() + " " + answer.body());
        }
    }

    /** Whether the nodes serve {@code /v1/debug/faults} (started with {@code --fault-injection}). */
    boolean faultInjection() {
        return faultInjection;
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
