package dev.aspen.mesh.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aspen.kv.DirectCommandLog;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvConfig;
import dev.aspen.kv.KvStateMachine;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.quic.LinkFaults;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/debug/faults} over real HTTP, on a node with the fault switch and on one without. */
class FaultRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path dir;

    private static KvStateMachine machine;
    private static DirectCommandLog log;
    private static final LinkFaults faults = new LinkFaults();
    private static HttpApi on;
    private static HttpApi off;

    @BeforeAll
    static void start() throws Exception {
        machine = KvStateMachine.open(KvConfig.builder(dir).build());
        log = new DirectCommandLog(machine);
        KeyValueStore kv = KeyValueStore.over(log, machine, null);
        NodeId self = NodeIdentity.generate().nodeId();
        var quic = SocketAddresses.parse("127.0.0.1:7000");
        var admin = new FakeClusterAdmin(Cookie.of("faults-test").clusterId(), self, quic);
        on = HttpApi.start(HttpApi.Settings.builder(kv, admin, self, quic)
                .linkFaults(faults)
                .build());
        off = HttpApi.start(HttpApi.Settings.builder(kv, admin, self, quic).build());
    }

    @AfterAll
    static void stop() {
        on.close();
        off.close();
        log.close();
        machine.close();
    }

    @BeforeEach
    void healEverything() {
        faults.healAll();
    }

    @Test
    void blocksHealsAndListsAddressesWithTheDropCount() throws Exception {
        JsonNode empty = ok(send(on, "GET", null));
        assertThat(blocked(empty)).isEmpty();
        assertThat(empty.get("dropped").asLong()).isEqualTo(faults.dropped());

        JsonNode blocked = ok(send(on, "POST", "{\"block\":[\"127.0.0.1:7002\",\"127.0.0.1:7001\",\"[::1]:7003\"]}"));
        assertThat(blocked(blocked)).containsExactly("[0:0:0:0:0:0:0:1]:7003", "127.0.0.1:7001", "127.0.0.1:7002");
        assertThat(faults.blocked()).hasSize(3);

        JsonNode healed = ok(send(on, "POST", "{\"heal\":[\"127.0.0.1:7002\"]}"));
        assertThat(blocked(healed)).containsExactly("[0:0:0:0:0:0:0:1]:7003", "127.0.0.1:7001");
        JsonNode both = ok(send(on, "POST", "{\"heal\":[\"127.0.0.1:7001\"],\"block\":[\"127.0.0.1:7004\"]}"));
        assertThat(blocked(both)).containsExactly("[0:0:0:0:0:0:0:1]:7003", "127.0.0.1:7004");

        assertThat(blocked(ok(send(on, "DELETE", null)))).isEmpty();
        assertThat(faults.blocked()).isEmpty();
    }

    @Test
    void badBodiesAreRefusedNamingTheProblemAndChangeNothing() throws Exception {
        ok(send(on, "POST", "{\"block\":[\"127.0.0.1:7001\"]}"));

        assertError(send(on, "POST", null), 400, "invalid_argument", "request body is required");
        assertError(send(on, "POST", "[1]"), 400, "invalid_argument", "must be a JSON object");
        assertError(send(on, "POST", "{\"blok\":[]}"), 400, "invalid_argument", "needs 'block' or 'heal'");
        assertError(send(on, "POST", "{\"block\":\"127.0.0.1:7002\"}"), 400, "invalid_argument", "field 'block'");
        assertError(
                send(on, "POST", "{\"block\":[\"127.0.0.1:7002\",\"localhost:7003\"]}"),
                400,
                "invalid_argument",
                "block[1]");
        assertError(send(on, "POST", "{\"heal\":[\"127.0.0.1\"]}"), 400, "invalid_argument", "heal[0]");
        assertError(send(on, "POST", "{\"block\":[\"0.0.0.0:7002\"]}"), 400, "invalid_argument", "wildcard");
        assertError(send(on, "POST", "{\"block\":[7002]}"), 400, "invalid_argument", "block[0]");
        assertError(send(on, "GET?x=1", null), 400, "invalid_argument", "unknown parameter 'x'");

        assertThat(blocked(ok(send(on, "GET", null)))).containsExactly("127.0.0.1:7001");
    }

    @Test
    void everyRouteAnswers404WhenFaultInjectionIsOff() throws Exception {
        for (String method : List.of("GET", "POST", "DELETE")) {
            assertError(
                    send(off, method, method.equals("POST") ? "{\"block\":[\"127.0.0.1:7001\"]}" : null),
                    404,
                    "not_found",
                    "fault injection is off: start the node with --fault-injection (for tests only)");
        }
    }

    private static HttpResponse<String> send(HttpApi api, String method, String body) throws Exception {
        String query = "";
        if (method.contains("?")) {
            query = method.substring(method.indexOf('?'));
            method = method.substring(0, method.indexOf('?'));
        }
        URI uri = URI.create("http://" + SocketAddresses.format(api.address()) + "/v1/debug/faults" + query);
        var request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<String> blocked(JsonNode state) {
        List<String> out = new ArrayList<>();
        state.get("blocked").forEach(a -> out.add(a.asText()));
        return out;
    }

    private static void assertError(HttpResponse<String> response, int status, String code, String messagePart)
            throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("message").asText()).contains(messagePart);
    }
}
