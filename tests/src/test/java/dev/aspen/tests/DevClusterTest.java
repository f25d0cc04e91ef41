package dev.aspen.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/aspen dev} as the README runs it: three real node processes, the printed URLs work
 * (a write through the first node is read through the last), and SIGTERM (Ctrl-C) stops every node
 * and exits 0.
 */
class DevClusterTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern NODE_URL = Pattern.compile("node-\\d+\\s+(http://127\\.0\\.0\\.1:\\d+)");
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void devClusterServesThroughEveryNodeAndStopsCleanly(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("dev.out");
        Process dev = new ProcessBuilder(
                        "bin/aspen", "dev", "--data-dir", dir.resolve("data").toString())
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            await().atMost(Duration.ofSeconds(150))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> !dev.isAlive() || Files.readString(output).contains("Stop with Ctrl-C"));
            String printed = Files.readString(output);
            assertThat(dev.isAlive()).as(printed).isTrue();
            List<String> urls =
                    NODE_URL.matcher(printed).results().map(m -> m.group(1)).toList();
            assertThat(urls).as(printed).hasSize(3);
            assertThat(printed).contains("curl -X PUT " + urls.get(0) + "/v1/kv/hello -d world");

            HttpResponse<String> put = send(HttpRequest.newBuilder(URI.create(urls.get(0) + "/v1/kv/hello"))
                    .PUT(HttpRequest.BodyPublishers.ofString("world")));
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            HttpResponse<String> get = send(HttpRequest.newBuilder(URI.create(urls.get(2) + "/v1/kv/hello?raw")));
            assertThat(get.statusCode()).as(get.body()).isEqualTo(200);
            assertThat(get.body()).isEqualTo("world");

            dev.destroy(); // SIGTERM, what Ctrl-C's SIGINT does to the JVM too
            assertThat(dev.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(dev.exitValue()).isZero();
            for (String url : urls) {
                assertThat(reachable(url)).as("node at %s stopped", url).isFalse();
            }
        } finally {
            dev.descendants().forEach(ProcessHandle::destroyForcibly);
            dev.destroyForcibly();
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(
                request.timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private boolean reachable(String url) throws InterruptedException {
        try {
            send(HttpRequest.newBuilder(URI.create(url + "/health")));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
