package dev.aspen.discovery.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Launches {@link DiscoveryProcess} in a child JVM and collects the lines it prints. */
public final class NodeProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private NodeProcess(Process process) {
        this.process = process;
        var reader = new Thread(this::readLines, "node-process-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a child JVM on this JVM's class path with {@code args} for {@link DiscoveryProcess}. */
    public static NodeProcess start(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(DiscoveryProcess.class.getName());
        command.addAll(args);
        try {
            return new NodeProcess(new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readLines() {
        try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            // The process died; the lines read so far stay.
        }
    }

    /** Everything printed so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Whether {@code READY} was printed. */
    public boolean ready() {
        return lines.stream().anyMatch(line -> line.startsWith("READY "));
    }

    /** The node id printed in the {@code READY} line. */
    public String nodeId() {
        return readyField(1);
    }

    /** The incarnation printed in the {@code READY} line. */
    public long incarnation() {
        return Long.parseLong(readyField(3));
    }

    private String readyField(int index) {
        return lines.stream()
                .filter(line -> line.startsWith("READY "))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("node not ready; printed " + lines))
                .split(" ")[index];
    }

    /**
     * The directory as replayed from the printed events: node id → incarnation of the current
     * record, for peers not reported LEFT.
     */
    public Map<String, Long> view() {
        Map<String, Long> view = new HashMap<>();
        for (String line : lines) {
            String[] parts = line.split(" ");
            switch (parts[0]) {
                case "JOINED", "UPDATED" -> view.put(parts[1], Long.parseLong(parts[2]));
                case "LEFT" -> view.remove(parts[1]);
                default -> {}
            }
        }
        return view;
    }

    /** Whether the node printed {@code type} for {@code nodeId}. */
    public boolean reported(String type, String nodeId) {
        return lines.stream().anyMatch(line -> line.startsWith(type + " " + nodeId + " "));
    }

    /** SIGKILL on Linux. */
    public void kill() {
        process.destroyForcibly();
    }

    /** Whether the child is still running. */
    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
