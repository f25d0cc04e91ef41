package dev.aspen.mesh.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValue;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.mesh.identity.NodeIdentity;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every file of a real node's data directory, damaged five ways, at start.
 *
 * <p>One single-node cluster writes acknowledged data (half before a Raft snapshot, half after, one
 * value large enough for the blob map) and is copied twice: while running (a crash image: no
 * clean-shutdown marker, as after {@code kill -9}) and after a clean close. For each file of each
 * image and each damage, a fresh copy is damaged and a node started on it. Exactly one of two
 * outcomes passes: the node starts and a linearizable scan returns every acknowledged write with
 * its value; or the start fails with a message that names the damaged file. A single node has no
 * peer to repair from, so this is the strictest setting: nothing can hide a loss.
 *
 * <p>The one loss allowed is a torn tail in the crash image's last log segment, which a crash can
 * leave only in records that were never acknowledged: there the keys read back must be a prefix of
 * the writes (no hole), never a gap.
 */
class DataDirCorruptionSweepTest {
    private static final Logger LOG = LoggerFactory.getLogger(DataDirCorruptionSweepTest.class);
    private static final String COOKIE = "corruption-sweep";
    private static final int KEYS = 40;

    @TempDir
    static Path root;

    private static final Map<String, String> written = new LinkedHashMap<>();
    private static Path cleanImage;
    private static Path crashImage;

    /** The damage done to one file. */
    enum Damage {
        TRUNCATE_TO_ZERO,
        TRUNCATE_MID_FILE,
        TORN_TAIL,
        FLIP_MIDDLE_BIT,
        APPEND_GARBAGE;

        void apply(Path file) throws IOException {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                long size = raf.length();
                switch (this) {
                    case TRUNCATE_TO_ZERO -> raf.setLength(0);
                    case TRUNCATE_MID_FILE -> raf.setLength(size / 2);
                    case TORN_TAIL -> raf.setLength(Math.max(0, size - 3));
                    case FLIP_MIDDLE_BIT -> {
                        raf.seek(size / 2);
                        int b = raf.read();
                        raf.seek(size / 2);
                        raf.write(b ^ 0x10);
                    }
                    case APPEND_GARBAGE -> {
                        byte[] garbage = new byte[37];
                        new Random(size).nextBytes(garbage);
                        raf.seek(size);
                        raf.write(garbage);
                    }
                }
            }
        }
    }

    @BeforeAll
    static void writeAcknowledgedData() throws Exception {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
        Path dir = root.resolve("node");
        try (AspenNode node = AspenNode.start(config(dir))) {
            for (int i = 0; i < KEYS; i++) {
                if (i == KEYS / 2) {
                    assertThat(node.admin().snapshot().get(30, TimeUnit.SECONDS))
                            .isPositive();
                }
                String key = String.format("key-%03d", i);
                String value = i == 7 ? "big-".repeat(2_000) : "value-" + i + "-" + "x".repeat(40);
                node.kv().put(key.getBytes(UTF_8), value.getBytes(UTF_8)).get(30, TimeUnit.SECONDS);
                written.put(key, value);
            }
            // What the CLI adds around a node: node.json (NodeRunner) and a remembered peer (peers.json).
            NodeFiles.writeNodeInfo(dir, node.info());
            PeerBook.load(dir)
                    .remember(
                            NodeIdentity.generate().nodeId(),
                            List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9)));
            crashImage = copy(dir, root.resolve("crash-image"));
        }
        cleanImage = copy(dir, root.resolve("clean-image"));
    }

    @AfterAll
    static void forget() {
        written.clear();
    }

    @Test
    void theSweepCoversEveryKindOfFileANodeKeeps() throws IOException {
        assertThat(files(cleanImage).stream().map(p -> cleanImage.relativize(p).toString()))
                .contains(
                        "cookie",
                        "node.json",
                        "peers.json",
                        "node-key.pem",
                        "node-cert.pem",
                        "raft/endpoint.meta",
                        "raft/members.meta",
                        "raft/term.meta",
                        "kv/clean-shutdown",
                        "kv/state/entries.cm",
                        "kv/state/blobs.cm")
                .anyMatch(name -> name.startsWith("raft/snapshot-"))
                .anyMatch(name -> name.startsWith("raft/log-"));
    }

    @TestFactory
    Stream<DynamicTest> everyFileDamagedEveryWayGivesAllDataOrANamedError() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path image : List.of(cleanImage, crashImage)) {
            // The crash image differs from the clean one only in raft/ (kv/ is discarded without the
            // clean-shutdown marker, and identity, cookie and node.json are the same files).
            for (Path file : image == cleanImage ? files(image) : files(image.resolve("raft"))) {
                for (Damage damage : Damage.values()) {
                    String name = image.getFileName() + " " + image.relativize(file) + " " + damage;
                    tests.add(DynamicTest.dynamicTest(name, () -> check(name, image, image.relativize(file), damage)));
                }
            }
        }
        return tests.stream();
    }

    private static void check(String name, Path image, Path relative, Damage damage) throws Exception {
        Path dir = copy(image, root.resolve("case-" + System.nanoTime()));
        damage.apply(dir.resolve(relative));
        AspenNode node;
        try {
            node = AspenNode.start(config(dir));
        } catch (Exception e) {
            LOG.info("{}: refused to start: {}", name, messages(e));
            assertThat(messages(e))
                    .as("%s: a refused start must name the damaged file", name)
                    .contains(dir.resolve(relative).toString());
            return;
        }
        try (node) {
            Map<String, String> found = new TreeMap<>();
            await(name).atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                found.clear();
                List<KeyValue> kvs = node.kv()
                        .scan(KeyRange.prefix("key-".getBytes(UTF_8)), 0, false, ReadConsistency.LINEARIZABLE)
                        .get(5, TimeUnit.SECONDS)
                        .kvs();
                kvs.forEach(kv -> found.put(new String(kv.key(), UTF_8), new String(kv.value(), UTF_8)));
            });
            LOG.info("{}: started, {} of {} acknowledged keys read back", name, found.size(), written.size());
            if (image == crashImage && isLastSegment(dir, relative)) {
                Map<String, String> prefix = new TreeMap<>();
                written.entrySet().stream().limit(found.size()).forEach(e -> prefix.put(e.getKey(), e.getValue()));
                assertThat(found)
                        .as("%s: a repaired torn tail may lose only the last writes", name)
                        .isEqualTo(prefix);
            } else {
                assertThat(found)
                        .as("%s: every acknowledged write after the node started", name)
                        .isEqualTo(written);
            }
        }
    }

    private static boolean isLastSegment(Path dir, Path relative) throws IOException {
        if (!relative.getFileName().toString().endsWith(".wal")) {
            return false;
        }
        try (Stream<Path> segments = Files.list(dir.resolve(relative).getParent())) {
            return segments.filter(p -> p.getFileName().toString().endsWith(".wal"))
                    .max(Comparator.naturalOrder())
                    .orElseThrow()
                    .getFileName()
                    .equals(relative.getFileName());
        }
    }

    private static String messages(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t).append(" / ");
        }
        return text.toString();
    }

    private static List<Path> files(Path image) throws IOException {
        try (Stream<Path> all = Files.walk(image)) {
            return all.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static NodeConfig config(Path dir) {
        return NodeConfig.builder(dir)
                .cookie(COOKIE)
                .bootstrapExpect(1)
                .lan(false)
                .quicPort(0)
                .gossipPort(0)
                .httpPort(0)
                .build();
    }

    /** Copies a data directory keeping the map files sparse (they are allocated up front). */
    private static Path copy(Path from, Path to) {
        try {
            Process cp = new ProcessBuilder("cp", "-r", "--sparse=always", from.toString(), to.toString())
                    .inheritIO()
                    .start();
            assertThat(cp.waitFor()).as("cp %s %s", from, to).isZero();
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
