package dev.aspen.tests.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk-full on one node, for real: a follower's data directory is a small tmpfs that the test
 * fills while the cluster takes writes. The majority keeps acknowledging; the full follower's
 * Raft log stops on the disk error and says so in {@code /health} (it does not pretend to be
 * fine while it no longer persists anything); after space is freed and the node restarted it
 * catches up, and no acknowledged write is missing on any node.
 *
 * <p>Mounting a tmpfs needs root (CAP_SYS_ADMIN), which CI and these machines have; elsewhere the
 * test is skipped with that reason.
 */
class DiskFullTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final int FULL = 2;
    private static final String VALUE = "x".repeat(3000);

    private final Http http = new Http(Duration.ofSeconds(10));

    @Test
    void aFollowerWhoseDiskFillsStopsLoudlyAndCatchesUpAfterARestart(@TempDir Path work) throws Exception {
        Path disk = work.resolve("n" + FULL);
        Files.createDirectories(disk);
        // The node's key/value map file is sized up front (about 340 MB), so the tmpfs holds it
        // and a little more; the filler takes the rest.
        assumeTrue(
                run("mount", "-t", "tmpfs", "-o", "size=420m", "tmpfs", disk.toString()) == 0,
                "mounting a tmpfs for the full node needs root (CAP_SYS_ADMIN)");
        try (var cluster = new NodeCluster(ROOT, work, 3, new Random(7), false)) {
            cluster.start();
            moveLeadershipOff(cluster);
            int via = cluster.leader().orElseThrow();
            List<String> acknowledged = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                put(cluster, via, "before-" + i, acknowledged);
            }

            Path filler = disk.resolve("filler");
            fill(filler);
            // Keep writing until the full node's log has hit the wall; every write is acknowledged
            // by the majority that has space.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            int n = 0;
            while (!logStopped(cluster) && System.nanoTime() < deadline && n < 2_000) {
                put(cluster, via, "during-" + n++, acknowledged);
            }
            Http.Answer health = http.get(cluster.url(FULL) + "/health");
            assertThat(health.status()).as(health.body()).isEqualTo(503);
            assertThat(health.body())
                    .contains("stopped on a disk error", "No space left on device", "restart the node");
            assertThat(cluster.healthy(via)).isTrue();
            for (int i = 0; i < 20; i++) {
                put(cluster, via, "after-" + i, acknowledged);
            }

            Files.delete(filler);
            cluster.kill(FULL);
            cluster.restart(FULL);
            cluster.awaitAllHealthy();
            String last = acknowledged.get(acknowledged.size() - 1);
            await("the restarted node caught up")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> http.get(cluster.url(FULL) + "/v1/kv/" + last + "?raw&consistency=stale")
                                    .status()
                            == 200);
            for (int node = 0; node < cluster.size(); node++) {
                for (String key : acknowledged) {
                    Http.Answer read = http.get(cluster.url(node) + "/v1/kv/" + key + "?raw&consistency=stale");
                    assertThat(read.status())
                            .as("node %d, key %s: %s", node, key, read.body())
                            .isEqualTo(200);
                    assertThat(read.body()).isEqualTo(VALUE + key);
                }
            }
        } finally {
            run("umount", "-l", disk.toString());
        }
    }

    /** The full node must be a follower: the test is about the majority going on without it. */
    private void moveLeadershipOff(NodeCluster cluster) throws Exception {
        await("a leader").atMost(NodeCluster.START_LIMIT).until(() -> cluster.leader()
                .isPresent());
        if (cluster.leader().getAsInt() == FULL) {
            String body = "{\"node_id\":\"" + cluster.nodeId(0) + "\"}";
            assertThat(cluster.admin(FULL, "POST", "/v1/cluster/leader", body).status())
                    .isEqualTo(200);
            await("leadership moved")
                    .atMost(Duration.ofSeconds(30))
                    .until(() ->
                            cluster.leader().isPresent() && cluster.leader().getAsInt() != FULL);
        }
    }

    private void put(NodeCluster cluster, int via, String key, List<String> acknowledged) throws Exception {
        Http.Answer answer = http.send("PUT", cluster.url(via) + "/v1/kv/" + key, VALUE + key);
        assertThat(answer.status()).as("put %s: %s", key, answer.body()).isEqualTo(200);
        acknowledged.add(key);
    }

    private boolean logStopped(NodeCluster cluster) throws InterruptedException {
        try {
            return http.get(cluster.url(FULL) + "/health").body().contains("stopped on a disk error");
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes zeros to {@code filler} until the file system is full (bounded by its size). */
    private static void fill(Path filler) throws IOException {
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (int i = 0; i < 1024; i++) {
                out.write(chunk);
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
            return;
        }
        throw new IllegalStateException("1 GiB written and the tmpfs is still not full");
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
