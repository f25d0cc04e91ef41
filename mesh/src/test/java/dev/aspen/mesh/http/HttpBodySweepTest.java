package dev.aspen.mesh.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.mesh.node.AspenNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
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
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed bodies on every HTTP route that reads one, against a real node: valid bodies cut short,
 * invalid UTF-8, seeded random bytes, bodies over the size limit, and (on the strictly typed
 * routes) each field given a value of another JSON type (JSON {@code null} is not swept: it means
 * "absent" for optional fields). Each must get a 4xx answer whose JSON error names the problem (an
 * oversized body may instead see its connection closed); afterwards the node still serves and every
 * acknowledged write is intact.
 */
class HttpBodySweepTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = 4242L;
    /** Bound on every request: a node that stops answering fails the case instead of hanging the build. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final String NODE_ID = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    /** A valid body per route; whether its fields are strictly typed (the compat routes take many shapes). */
    private record Route(String method, String path, String validBody, boolean strict) {}

    private static final List<Route> ROUTES = List.of(
            new Route(
                    "POST",
                    "/v1/txn",
                    "{\"compare\":[{\"key\":\"cfg\",\"target\":\"version\",\"result\":\"equal\",\"version\":0}],"
                            + "\"success\":[{\"put\":{\"key\":\"fuzz-cfg\",\"value\":\"djE=\"}}],"
                            + "\"failure\":[{\"get\":{\"key\":\"cfg\"}}]}",
                    true),
            new Route("POST", "/v1/lease", "{\"ttl\":60}", true),
            new Route(
                    "POST",
                    "/v1/cluster/learners",
                    "{\"node_id\":\"" + NODE_ID + "\",\"addresses\":[\"127.0.0.1:9\"]}",
                    true),
            new Route("POST", "/v1/cluster/voters", "{\"node_id\":\"" + NODE_ID + "\"}", true),
            new Route("POST", "/v1/cluster/leader", "{\"node_id\":\"" + NODE_ID + "\"}", false),
            new Route("POST", "/init", "{\"members\":[\"" + NODE_ID + "\"]}", false),
            new Route("POST", "/add-learner", "[\"" + NODE_ID + "\", \"127.0.0.1:9\"]", false),
            new Route("POST", "/change-membership", "{\"members\":[\"" + NODE_ID + "\"]}", false),
            new Route("POST", "/write", "{\"command\":{\"Set\":{\"key\":\"fuzz-w\",\"value\":\"v\"}}}", false),
            new Route("POST", "/read", "{\"key\":\"fuzz-w\"}", false));

    @TempDir
    static Path dir;

    private static AspenNode node;
    private static final Map<String, String> acknowledged = new TreeMap<>();

    @BeforeAll
    static void start() throws Exception {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
        node = AspenNode.start(NodeConfig.builder(dir)
                .cookie("http-body-sweep")
                .bootstrapExpect(1)
                .lan(false)
                .quicPort(0)
                .gossipPort(0)
                .httpPort(0)
                .build());
        for (int i = 0; i < 10; i++) {
            node.kv()
                    .put(("key-" + i).getBytes(UTF_8), ("value-" + i).getBytes(UTF_8))
                    .get(30, TimeUnit.SECONDS);
            acknowledged.put("key-" + i, "value-" + i);
        }
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @TestFactory
    Stream<DynamicTest> everyMalformedBodyIsA4xxThatNamesTheProblem() throws Exception {
        Random random = new Random(SEED);
        List<DynamicTest> tests = new ArrayList<>();
        for (Route route : ROUTES) {
            String valid = route.validBody();
            for (int cut = 1; cut < valid.length(); cut += 1 + valid.length() / 8) {
                tests.add(sweep(
                        route,
                        "cut to " + cut + " bytes",
                        valid.substring(0, cut).getBytes(UTF_8)));
            }
            byte[] badUtf8 = valid.getBytes(UTF_8);
            badUtf8[valid.indexOf('"') + 1] = (byte) 0xff;
            tests.add(sweep(route, "invalid UTF-8", badUtf8));
            for (int i = 0; i < 3; i++) {
                byte[] noise = new byte[1 + random.nextInt(200)];
                random.nextBytes(noise);
                noise[0] = '}'; // never the start of a JSON document
                tests.add(sweep(route, "random bytes #" + i, noise));
            }
            if (route.strict()) {
                tests.addAll(wrongTypes(route));
            }
        }
        byte[] huge = new byte[9 << 20]; // over the default 8 MiB body limit
        tests.add(sweep(ROUTES.get(0), "over the body limit", huge));
        tests.add(sweep(new Route("PUT", "/v1/kv/fuzz-huge", "", true), "over the body limit", huge));
        tests.add(DynamicTest.dynamicTest(
                "afterwards the node serves and no acknowledged write changed",
                HttpBodySweepTest::nodeServesAndNoAcknowledgedWriteChanged));
        return tests.stream();
    }

    /** Each top-level field of the valid body replaced by values of every other JSON type. */
    private static List<DynamicTest> wrongTypes(Route route) throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        JsonNode valid = JSON.readTree(route.validBody());
        List<JsonNode> samples = List.of(
                JSON.readTree("12345"),
                JSON.readTree("\"text\""),
                JSON.readTree("true"),
                JSON.readTree("[1]"),
                JSON.readTree("{\"x\":1}"));
        for (Iterator<String> fields = valid.fieldNames(); fields.hasNext(); ) {
            String field = fields.next();
            for (JsonNode wrong : samples) {
                if (wrong.getNodeType() == valid.get(field).getNodeType()) {
                    continue;
                }
                ObjectNode body = ((ObjectNode) valid).deepCopy();
                body.set(field, wrong);
                tests.add(sweep(route, "'" + field + "' = " + wrong, JSON.writeValueAsBytes(body)));
            }
        }
        return tests;
    }

    private static DynamicTest sweep(Route route, String damage, byte[] body) {
        String name = route.method() + " " + route.path() + " " + damage;
        boolean oversized = body.length > (8 << 20);
        return DynamicTest.dynamicTest(name, () -> {
            HttpResponse<String> response;
            try {
                // A client per case: the server closes the connection of an oversized body.
                response = newClient()
                        .send(
                                HttpRequest.newBuilder(uri(route.path()))
                                        .timeout(TIMEOUT)
                                        .method(route.method(), HttpRequest.BodyPublishers.ofByteArray(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
            } catch (java.net.http.HttpTimeoutException e) {
                throw new AssertionError(name + ": no answer within " + TIMEOUT, e);
            } catch (java.io.IOException e) {
                // The server may close an oversized body's connection before the client reads the 413.
                assertThat(oversized)
                        .as("%s: only an oversized body may end the connection: %s", name, e)
                        .isTrue();
                return;
            }
            assertThat(response.statusCode())
                    .as("%s: status; body %s", name, response.body())
                    .isBetween(400, 499);
            JsonNode error = JSON.readTree(response.body()).path("error");
            assertThat(error.path("code").asText()).as(name).isIn("invalid_argument", "too_large", "not_found");
            assertThat(error.path("message").asText())
                    .as("%s: the message names the problem", name)
                    .isNotBlank();
        });
    }

    private static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Runs last: the node still serves, and no acknowledged write changed. */
    private static void nodeServesAndNoAcknowledgedWriteChanged() throws Exception {
        HttpResponse<String> put = newClient()
                .send(
                        HttpRequest.newBuilder(uri("/v1/kv/after"))
                                .timeout(TIMEOUT)
                                .PUT(HttpRequest.BodyPublishers.ofString("sweep"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(200);
        Map<String, String> found = new TreeMap<>();
        node.kv()
                .scan(KeyRange.prefix("key-".getBytes(UTF_8)), 0, false, ReadConsistency.LINEARIZABLE)
                .get(10, TimeUnit.SECONDS)
                .kvs()
                .forEach(kv -> found.put(new String(kv.key(), UTF_8), new String(kv.value(), UTF_8)));
        assertThat(found).isEqualTo(acknowledged);
    }

    private static URI uri(String path) {
        return URI.create("http://" + node.httpAddress().getHostString() + ":"
                + node.httpAddress().getPort() + path);
    }
}
