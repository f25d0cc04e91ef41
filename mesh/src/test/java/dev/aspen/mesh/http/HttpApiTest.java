package dev.aspen.mesh.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aspen.consensus.RaftGroupConfig;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KvException;
import dev.aspen.mesh.cluster.ClusterStatusJson;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.node.ReplicaNode;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route of the HTTP API over real HTTP on 127.0.0.1: the key/value routes against one real
 * single-node replica, the cluster and compatibility routes against {@link FakeClusterAdmin}.
 */
class HttpApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "s3cret";
    private static final int BODY_LIMIT = 64 * 1024;

    @TempDir
    static Path dir;

    private static ReplicaNode node;
    private static FakeClusterAdmin admin;
    private static HttpApi api;
    private static final AtomicReference<Optional<String>> unhealthy = new AtomicReference<>(Optional.empty());
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
        NodeIdentity identity = NodeIdentity.generate();
        node = ReplicaNode.start(new ReplicaNode.Settings(
                dir,
                identity,
                Cookie.of("http-test").clusterKey(),
                "kv",
                List.of(identity.nodeId()),
                id -> List.of(),
                QuicConfig.builder().build(),
                RaftGroupConfig.defaults()));
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> node.kv().put(b("ready"), b("1")).get(5, TimeUnit.SECONDS) != null);
        admin = new FakeClusterAdmin(Cookie.of("http-test").clusterId(), node.nodeId(), node.address());
        api = HttpApi.start(HttpApi.Settings.builder(node.kv(), admin, node.nodeId(), node.address())
                .token(Optional.of(TOKEN))
                .unhealthyReason(unhealthy::get)
                .metrics(() -> "# TYPE aspen_up gauge\naspen_up 1\n")
                .maxBodyBytes(BODY_LIMIT)
                .keepAlive(Duration.ofMillis(100))
                .build());
    }

    @AfterAll
    static void stop() {
        api.close();
        node.close();
    }

    // ---- key/value ------------------------------------------------------------------------------

    @Test
    void putGetAndDeleteAKeyWithSlashesAndEscapes() throws Exception {
        HttpResponse<String> put = send("PUT", "/v1/kv/app/config%2Fx", "hello");
        assertThat(put.statusCode()).isEqualTo(200);
        long revision = json(put).get("revision").asLong();

        JsonNode got = json(send("GET", "/v1/kv/app/config/x", null));
        assertThat(got.get("key").asText()).isEqualTo("app/config/x");
        assertThat(Base64.getDecoder().decode(got.get("value").asText()))
                .asString(UTF_8)
                .isEqualTo("hello");
        assertThat(got.get("create_revision").asLong()).isEqualTo(revision);
        assertThat(got.get("mod_revision").asLong()).isEqualTo(revision);
        assertThat(got.get("version").asLong()).isEqualTo(1);
        assertThat(got.get("lease").asLong()).isZero();
        assertThat(got.get("revision").asLong()).isGreaterThanOrEqualTo(revision);

        HttpResponse<String> raw = send("GET", "/v1/kv/app/config/x?raw", null);
        assertThat(raw.body()).isEqualTo("hello");
        assertThat(raw.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(raw.headers().firstValue("X-Aspen-Mod-Revision")).hasValue(Long.toString(revision));

        JsonNode second = json(send("PUT", "/v1/kv/app/config/x?prev=true", "world"));
        assertThat(second.get("prev_kv").get("value").asText()).isEqualTo(b64("hello"));
        for (String consistency : List.of("linearizable", "lease", "stale")) {
            JsonNode read = json(send("GET", "/v1/kv/app/config/x?consistency=" + consistency, null));
            assertThat(read.get("value").asText()).as(consistency).isEqualTo(b64("world"));
            assertThat(read.get("version").asLong()).isEqualTo(2);
        }

        JsonNode deleted = json(send("DELETE", "/v1/kv/app/config/x", null));
        assertThat(deleted.get("deleted").asLong()).isEqualTo(1);
        assertThat(deleted.get("revision").asLong())
                .isGreaterThan(second.get("revision").asLong());
        assertError(send("GET", "/v1/kv/app/config/x", null), 404, "not_found", "app/config/x");
        assertThat(json(send("DELETE", "/v1/kv/app/config/x", null))
                        .get("deleted")
                        .asLong())
                .isZero();

        // Keys are bytes: any percent-escaped byte is part of the key.
        assertThat(send("PUT", "/v1/kv/bin%FF%00", "binary").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v1/kv/bin%FF%00?raw", null).body()).isEqualTo("binary");
        assertThat(send("GET", "/v1/kv/bin%FF", null).statusCode()).isEqualTo(404);
    }

    @Test
    void deleteWithPrefixRemovesEveryKeyUnderIt() throws Exception {
        for (String k : List.of("tree/a", "tree/b", "tree/c/d", "treetop")) {
            assertThat(send("PUT", "/v1/kv/" + k, "x").statusCode()).isEqualTo(200);
        }
        assertThat(json(send("DELETE", "/v1/kv/tree/?prefix=true", null))
                        .get("deleted")
                        .asLong())
                .isEqualTo(3);
        assertThat(send("GET", "/v1/kv/treetop", null).statusCode()).isEqualTo(200);
    }

    @Test
    void keyRoutesRejectBadInputNamingIt() throws Exception {
        assertError(send("GET", "/v1/kv/k?consistency=eventual", null), 400, "invalid_argument", "'consistency'");
        assertError(send("GET", "/v1/kv/k?colour=red", null), 400, "invalid_argument", "'colour'");
        assertError(send("PUT", "/v1/kv/k?lease=soon", "v"), 400, "invalid_argument", "'lease'");
        assertError(send("PUT", "/v1/kv/k?prev=maybe", "v"), 400, "invalid_argument", "'prev'");
        assertError(send("PUT", "/v1/kv/k?lease=987654", "v"), 404, "lease_not_found", "987654");
        assertError(send("PUT", "/v1/kv/", "v"), 400, "invalid_argument", "key");
        assertError(send("GET", "/v1/lease/%FF", null), 400, "invalid_argument", "lease id is not UTF-8");
        assertError(send("GET", "/v1/kv/k?raw&raw", null), 400, "invalid_argument", "more than once");
    }

    @Test
    void unknownRoutesWrongMethodsAndLargeBodiesAreRefused() throws Exception {
        assertError(send("GET", "/v2/kv/x", null), 404, "not_found", "/v2/kv/x");
        HttpResponse<String> patch = send("PATCH", "/v1/kv/x", "v");
        assertError(patch, 405, "method_not_allowed", "PATCH");
        assertThat(patch.headers().firstValue("Allow")).hasValue("PUT, GET, DELETE");
        assertThat(send("POST", "/v1/cluster", "{}").headers().firstValue("Allow"))
                .hasValue("GET");

        String big = "x".repeat(BODY_LIMIT + 1);
        assertError(send("PUT", "/v1/kv/big", big), 413, "too_large", Integer.toString(BODY_LIMIT));
        assertError(send("POST", "/v1/txn", big), 413, "too_large", "larger than");
        assertThat(send("PUT", "/v1/kv/big", "x".repeat(BODY_LIMIT)).statusCode())
                .isEqualTo(200);
    }

    @Test
    void listsByPrefixAndByRangeWithLimitAndKeysOnly() throws Exception {
        for (String k : List.of("list/a", "list/b", "list/c", "lisz")) {
            send("PUT", "/v1/kv/" + k, "v-" + k);
        }
        JsonNode all = json(send("GET", "/v1/kv?prefix=list/", null));
        assertThat(keys(all)).containsExactly("list/a", "list/b", "list/c");
        assertThat(all.get("count").asInt()).isEqualTo(3);
        assertThat(all.get("more").asBoolean()).isFalse();
        assertThat(all.get("kvs").get(0).get("value").asText()).isEqualTo(b64("v-list/a"));

        JsonNode limited = json(send("GET", "/v1/kv?prefix=list/&limit=2&keys_only=true", null));
        assertThat(keys(limited)).containsExactly("list/a", "list/b");
        assertThat(limited.get("more").asBoolean()).isTrue();
        assertThat(limited.get("kvs").get(0).has("value")).isFalse();

        assertThat(keys(json(send("GET", "/v1/kv?start=list/b&end=lisz", null))))
                .containsExactly("list/b", "list/c");
        assertThat(keys(json(send("GET", "/v1/kv?start=list/c&consistency=stale", null))))
                .startsWith("list/c", "lisz");

        assertError(send("GET", "/v1/kv?prefix=a&start=b", null), 400, "invalid_argument", "'prefix'");
        assertError(send("GET", "/v1/kv?prefix=a&limit=-1", null), 400, "invalid_argument", "'limit'");
        assertError(send("GET", "/v1/kv?prefix=a&limit=lots", null), 400, "invalid_argument", "'limit'");
        assertError(send("GET", "/v1/kv?prefix=a&keys_only=yes", null), 400, "invalid_argument", "'keys_only'");
    }

    @Test
    void transactionsRunTheBranchTheComparesChoose() throws Exception {
        send("PUT", "/v1/kv/txn/a", "1");
        String txn = """
                {"compare":[{"key":"txn/a","target":"version","result":"equal","version":1},
                            {"key":"txn/a","target":"value","result":"equal","value":"%s"}],
                 "success":[{"put":{"key":"txn/b","value":"%s","prev_kv":true}},
                            {"get":{"key":"txn/a"}},
                            {"scan":{"prefix":"txn/","keys_only":true}},
                            {"delete":{"key":"txn/a"}}],
                 "failure":[{"get":{"key":"txn/a"}}]}
                """.formatted(b64("1"), b64("2"));
        JsonNode first = json(send("POST", "/v1/txn", txn));
        assertThat(first.get("succeeded").asBoolean()).isTrue();
        JsonNode responses = first.get("responses");
        assertThat(responses.get(0).get("put").get("prev_kv").isNull()).isTrue();
        assertThat(responses.get(1).get("get").get("kv").get("value").asText()).isEqualTo(b64("1"));
        assertThat(keys(responses.get(2).get("scan"))).containsExactly("txn/a", "txn/b");
        assertThat(responses.get(3).get("delete").get("deleted").asLong()).isEqualTo(1);
        assertThat(first.get("revision").asLong())
                .isEqualTo(responses.get(0).get("put").get("revision").asLong());

        JsonNode second = json(send("POST", "/v1/txn", txn));
        assertThat(second.get("succeeded").asBoolean()).isFalse();
        assertThat(second.get("responses").get(0).get("get").get("kv").isNull()).isTrue();
        assertThat(json(send("POST", "/v1/txn", "{}")).get("succeeded").asBoolean())
                .isTrue();
    }

    @Test
    void transactionErrorsNameTheField() throws Exception {
        assertError(send("POST", "/v1/txn", "{\"compare\":["), 400, "invalid_argument", "not valid JSON");
        assertError(send("POST", "/v1/txn", ""), 400, "invalid_argument", "body is required");
        assertError(send("POST", "/v1/txn", "[]"), 400, "invalid_argument", "JSON object");
        assertError(
                send("POST", "/v1/txn", "{\"compare\":[{\"key\":\"k\",\"target\":\"size\",\"result\":\"equal\"}]}"),
                400,
                "invalid_argument",
                "'compare[0].target'");
        assertError(
                send("POST", "/v1/txn", "{\"compare\":[{\"key\":\"k\",\"target\":\"lease\",\"result\":\"equal\"}]}"),
                400,
                "invalid_argument",
                "'compare[0].lease' is required");
        assertError(
                send(
                        "POST",
                        "/v1/txn",
                        "{\"compare\":[{\"key\":\"k\",\"target\":\"version\",\"result\":\"same\",\"version\":1}]}"),
                400,
                "invalid_argument",
                "'compare[0].result'");
        assertError(
                send("POST", "/v1/txn", "{\"success\":[{\"put\":{\"value\":\"eA==\"}}]}"),
                400,
                "invalid_argument",
                "'success[0].put.key' is required");
        assertError(
                send("POST", "/v1/txn", "{\"success\":[{\"put\":{\"key\":\"k\",\"value\":\"not base64!\"}}]}"),
                400,
                "invalid_argument",
                "'success[0].put.value' must be base64");
        assertError(
                send("POST", "/v1/txn", "{\"failure\":[{\"get\":{\"key\":\"k\"},\"put\":{\"key\":\"k\"}}]}"),
                400,
                "invalid_argument",
                "'failure[0]' must have exactly one");
        assertError(
                send("POST", "/v1/txn", "{\"success\":[{\"rename\":{\"key\":\"k\"}}]}"),
                400,
                "invalid_argument",
                "unknown operation 'rename'");
        assertError(send("POST", "/v1/txn", "{\"success\":{}}"), 400, "invalid_argument", "'success' must be an array");
    }

    @Test
    void leasesAreGrantedKeptAliveReadAndRevoked() throws Exception {
        JsonNode lease = json(send("POST", "/v1/lease", "{\"ttl\":60}"));
        long id = lease.get("id").asLong();
        assertThat(lease.get("ttl").asLong()).isEqualTo(60);
        assertThat(send("PUT", "/v1/kv/leased?lease=" + id, "v").statusCode()).isEqualTo(200);
        assertThat(json(send("GET", "/v1/kv/leased", null)).get("lease").asLong())
                .isEqualTo(id);

        JsonNode ttl = json(send("GET", "/v1/lease/" + id, null));
        assertThat(ttl.get("granted_ttl").asLong()).isEqualTo(60);
        assertThat(ttl.get("keys").get(0).asText()).isEqualTo("leased");
        assertThat(ttl.get("remaining_ms").asLong()).isLessThanOrEqualTo(60_000);
        assertThat(json(send("POST", "/v1/lease/" + id + "/keepalive", null))
                        .get("ttl")
                        .asLong())
                .isEqualTo(60);

        JsonNode revoked = json(send("DELETE", "/v1/lease/" + id, null));
        assertThat(revoked.get("deleted_keys").asLong()).isEqualTo(1);
        assertThat(send("GET", "/v1/kv/leased", null).statusCode()).isEqualTo(404);
        assertError(send("GET", "/v1/lease/" + id, null), 404, "lease_not_found", Long.toString(id));
        assertError(send("POST", "/v1/lease/" + id + "/keepalive", null), 404, "lease_not_found", "");
        assertError(send("DELETE", "/v1/lease/" + id, null), 404, "lease_not_found", "");
    }

    @Test
    void leaseRequestsWithBadInputAreRefused() throws Exception {
        assertError(
                send("POST", "/v1/lease", "{\"ttl\":\"long\"}"), 400, "invalid_argument", "'ttl' must be an integer");
        assertError(send("POST", "/v1/lease", "{}"), 400, "invalid_argument", "'ttl' is required");
        assertError(send("POST", "/v1/lease", "{\"ttl\":0}"), 400, "invalid_argument", "");
        assertError(send("GET", "/v1/lease/abc", null), 400, "invalid_argument", "lease id");
        assertError(send("GET", "/v1/lease/0", null), 400, "invalid_argument", "lease id");
        assertError(send("PUT", "/v1/lease/1", null), 405, "method_not_allowed", "GET, DELETE");
    }

    // ---- watch ----------------------------------------------------------------------------------

    @Test
    void watchStreamsEveryChangeInOrderAndClosesWhenTheClientLeaves() throws Exception {
        SseClient live = SseClient.open(request("GET", "/v1/watch?prefix=watch/&prev=true", null, true));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.openWatches() == 1);
        long first = json(send("PUT", "/v1/kv/watch/a", "1")).get("revision").asLong();
        send("PUT", "/v1/kv/watch/b", "2");
        send("PUT", "/v1/kv/watch/a", "3");
        send("PUT", "/v1/kv/elsewhere", "x");
        send("DELETE", "/v1/kv/watch/a", null);

        List<JsonNode> events = live.take(4);
        assertThat(events).extracting(e -> e.get("type").asText()).containsExactly("put", "put", "put", "delete");
        assertThat(events)
                .extracting(e -> e.get("kv").get("key").asText())
                .containsExactly("watch/a", "watch/b", "watch/a", "watch/a");
        assertThat(events)
                .extracting(e -> e.get("revision").asLong())
                .containsExactly(first, first + 1, first + 2, first + 4);
        assertThat(events.get(2).get("prev_kv").get("value").asText()).isEqualTo(b64("1"));
        assertThat(live.comments()).isNotEmpty();

        // A second watch replays history from a revision, in the same order.
        SseClient replay = SseClient.open(request("GET", "/v1/watch?key=watch/a&from_revision=" + first, null, true));
        assertThat(replay.take(3))
                .extracting(e -> e.get("revision").asLong())
                .containsExactly(first, first + 2, first + 4);

        live.close();
        replay.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> api.openWatches() == 0);
    }

    @Test
    void watchRequestsWithBadParametersAreRefused() throws Exception {
        assertError(send("GET", "/v1/watch", null), 400, "invalid_argument", "'key' and 'prefix'");
        assertError(send("GET", "/v1/watch?key=a&prefix=b", null), 400, "invalid_argument", "'key' and 'prefix'");
        assertError(send("GET", "/v1/watch?key=a&from_revision=-1", null), 400, "invalid_argument", "'from_revision'");
        assertThat(api.openWatches()).isZero();
    }

    // ---- auth, health, metrics ------------------------------------------------------------------

    @Test
    void everyRouteButHealthNeedsTheBearerToken() throws Exception {
        HttpResponse<String> none =
                http.send(request("GET", "/v1/kv/ready", null, false), HttpResponse.BodyHandlers.ofString());
        assertError(none, 401, "unauthenticated", "Authorization");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        HttpResponse<String> wrong = http.send(
                HttpRequest.newBuilder(uri(api, "/metrics"))
                        .header("Authorization", "Bearer guess")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertError(wrong, 401, "unauthenticated", "wrong");
        HttpResponse<String> joinTicket =
                http.send(request("GET", "/v1/ticket?join=true", null, false), HttpResponse.BodyHandlers.ofString());
        assertError(joinTicket, 401, "unauthenticated", "Authorization");
        assertThat(joinTicket.body()).doesNotContain("\"ticket\"");
        assertError(
                http.send(request("POST", "/write", "{}", false), HttpResponse.BodyHandlers.ofString()),
                401,
                "unauthenticated",
                "");
        assertThat(http.send(request("GET", "/health", null, false), HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void healthReportsTheReasonAndMetricsArePrometheusText() throws Exception {
        JsonNode ok = json(send("GET", "/health", null));
        assertThat(ok.get("status").asText()).isEqualTo("ok");
        assertThat(ok.get("node_id").asText()).isEqualTo(node.nodeId().toString());
        unhealthy.set(Optional.of("no leader"));
        try {
            HttpResponse<String> sick = send("GET", "/health", null);
            assertError(sick, 503, "unavailable", "no leader");
            assertThat(json(sick).get("reason").asText()).isEqualTo("no leader");
        } finally {
            unhealthy.set(Optional.empty());
        }
        HttpResponse<String> metrics = send("GET", "/metrics", null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        assertThat(metrics.body()).contains("aspen_up 1");
        assertError(send("GET", "/metrics?format=json", null), 400, "invalid_argument", "'format'");
    }

    // ---- cluster --------------------------------------------------------------------------------

    @Test
    void anErrorInAHandlerIsAnsweredWith500AndTheNodeKeepsServing() throws Exception {
        admin.snapshotError = new NoClassDefFoundError("dev/aspen/Gone");
        try {
            assertError(send("POST", "/v1/cluster/snapshot", null), 500, "internal", "NoClassDefFoundError");
        } finally {
            admin.snapshotError = null;
        }
        assertThat(send("GET", "/health", null).statusCode()).isEqualTo(200);
    }

    @Test
    void clusterRoutesDriveTheClusterAdmin() throws Exception {
        JsonNode status = json(send("GET", "/v1/cluster", null));
        assertThat(status).isEqualTo(JSON.readTree(JSON.writeValueAsString(ClusterStatusJson.toJson(admin.current()))));

        NodeId learner = randomNodeId();
        JsonNode added = json(send(
                "POST",
                "/v1/cluster/learners",
                "{\"node_id\":\"" + learner + "\",\"addresses\":[\"127.0.0.1:7100\"]}"));
        assertThat(role(added, learner)).isEqualTo("learner");
        assertThat(admin.learnerAddresses.get(learner)).containsExactly(SocketAddresses.parse("127.0.0.1:7100"));
        assertError(
                send("POST", "/v1/cluster/learners", "{\"node_id\":\"" + learner + "\"}"),
                400,
                "invalid_argument",
                "already a member");

        assertThat(role(json(send("POST", "/v1/cluster/voters", "{\"node_id\":\"" + learner + "\"}")), learner))
                .isEqualTo("voter");
        assertThat(json(send("POST", "/v1/cluster/leader", "{\"node_id\":\"" + learner + "\"}"))
                        .get("leader")
                        .asText())
                .isEqualTo(learner.toString());
        assertThat(json(send("POST", "/v1/cluster/leader", null)).get("leader").asText())
                .isEqualTo(node.nodeId().toString());
        JsonNode removed = json(send("DELETE", "/v1/cluster/members/" + learner, null));
        assertThat(removed.get("members"))
                .extracting(m -> m.get("node_id").asText())
                .doesNotContain(learner.toString());
        assertThat(json(send("POST", "/v1/cluster/snapshot", null))
                        .get("snapshot_index")
                        .asLong())
                .isEqualTo(42);

        JsonNode ticket = json(send("GET", "/v1/ticket", null));
        ClusterTicket parsed = ClusterTicket.parse(ticket.get("ticket").asText());
        assertThat(parsed.clusterId()).isEqualTo(admin.clusterId);
        assertThat(ticket.get("cluster_id").asText()).isEqualTo(admin.clusterId.toString());
        assertThat(parsed.joinSecret()).isEmpty();
        ClusterTicket join = ClusterTicket.parse(
                json(send("GET", "/v1/ticket?join=true", null)).get("ticket").asText());
        assertThat(join.joinSecret()).hasValueSatisfying(s -> assertThat(s).isEqualTo(FakeClusterAdmin.JOIN_SECRET));
        assertThat(join.peers()).isEqualTo(parsed.peers());
        assertThat(ClusterTicket.parse(json(send("GET", "/v1/ticket?join=false", null))
                                .get("ticket")
                                .asText())
                        .joinSecret())
                .isEmpty();
        assertError(send("GET", "/v1/ticket?secret=true", null), 400, "invalid_argument", "allowed: join");
        assertThat(admin.calls)
                .containsSubsequence(
                        "add-learner " + learner, "promote " + learner, "transfer " + learner, "remove " + learner);
    }

    @Test
    void clusterRoutesRejectBadInputAndPassOnClusterErrors() throws Exception {
        assertError(send("POST", "/v1/cluster/learners", "{\"node_id\":\"n1\"}"), 400, "invalid_argument", "'node_id'");
        assertError(send("POST", "/v1/cluster/learners", "{}"), 400, "invalid_argument", "'node_id' is required");
        assertError(
                send(
                        "POST",
                        "/v1/cluster/learners",
                        "{\"node_id\":\"" + randomNodeId() + "\",\"addresses\":[\"localhost:1\"]}"),
                400,
                "invalid_argument",
                "'addresses[0]'");
        assertError(
                send("POST", "/v1/cluster/voters", "{\"node_id\":\"" + node.nodeId() + "\"}"),
                400,
                "invalid_argument",
                "not a learner");
        assertError(send("DELETE", "/v1/cluster/members/nobody", null), 400, "invalid_argument", "node id in the path");
        assertError(send("POST", "/v1/cluster/leader", "{\"node_id\":7}"), 400, "invalid_argument", "'node_id'");

        String leader = randomNodeId().toString();
        admin.failNext = KvException.notLeader(leader);
        HttpResponse<String> notLeader = send("POST", "/v1/cluster/voters", "{\"node_id\":\"" + randomNodeId() + "\"}");
        assertError(notLeader, 503, "not_leader", leader);
        assertThat(json(notLeader).get("error").get("leader").asText()).isEqualTo(leader);
        admin.failNext = KvException.of(ErrorCode.FAILED_PRECONDITION, "another membership change is in progress");
        assertError(
                send("DELETE", "/v1/cluster/members/" + node.nodeId(), null),
                412,
                "failed_precondition",
                "in progress");
    }

    // ---- the earlier control plane ---------------------------------------------------------------

    @Test
    void earlierControlPlaneScriptsFormGrowAndShrinkTheCluster() throws Exception {
        String self = node.nodeId().toString();
        // rpc 21001/init '{"initial_members":[{"id":1,"addr":...,"raft_addr":...}]}', with our ids
        JsonNode init = json(send(
                "POST",
                "/init",
                "{\"initial_members\":[{\"id\":\"" + self
                        + "\",\"addr\":\"127.0.0.1:21001\",\"raft_addr\":\"127.0.0.1:26001\"}]}"));
        assertThat(init.get("members")).extracting(JsonNode::asText).containsExactly(self);
        assertThat(init.get("nodes").get(0).get("raft_addr").asText())
                .isEqualTo(SocketAddresses.format(node.address()));
        assertThat(send("POST", "/init", "{}").statusCode()).isEqualTo(200);
        assertThat(send("POST", "/init", null).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/init", "{\"members\":[\"" + self + "\"]}").statusCode())
                .isEqualTo(200);

        NodeId four = randomNodeId();
        NodeId five = randomNodeId();
        // rpc 21001/add-learner '{"learner":{"id":4,"addr":"127.0.0.1:21004","raft_addr":"127.0.0.1:26004"}}'
        JsonNode state = json(send(
                "POST",
                "/add-learner",
                "{\"learner\":{\"id\":\"" + four
                        + "\",\"addr\":\"127.0.0.1:21004\",\"raft_addr\":\"127.0.0.1:26004\"}}"));
        assertThat(state.get("learners").get(0).get("id").asText()).isEqualTo(four.toString());
        assertThat(admin.learnerAddresses.get(four)).containsExactly(SocketAddresses.parse("127.0.0.1:26004"));
        // openraft's form: [id, "addr"]
        send("POST", "/add-learner", "[\"" + five + "\", \"127.0.0.1:26005\"]");
        assertThat(admin.learnerAddresses.get(five)).containsExactly(SocketAddresses.parse("127.0.0.1:26005"));

        // rpc 21001/change-membership '{"members":[1,2,3,4,5]}'
        JsonNode grown = json(send(
                "POST", "/change-membership", "{\"members\":[\"" + self + "\",\"" + four + "\",\"" + five + "\"]}"));
        assertThat(grown.get("members"))
                .extracting(JsonNode::asText)
                .containsExactlyInAnyOrder(self, four.toString(), five.toString());
        assertThat(grown.get("learners")).isEmpty();
        // openraft's form: a bare array; shrinks to one voter
        JsonNode shrunk = json(send("POST", "/change-membership", "[\"" + self + "\"]"));
        assertThat(shrunk.get("members")).extracting(JsonNode::asText).containsExactly(self);
        assertThat(json(send("GET", "/state", null))).isEqualTo(shrunk);
        // Learners are promoted before any voter is removed, so a majority is kept throughout.
        List<String> calls = admin.calls.stream()
                .filter(c -> c.endsWith(four.toString()) || c.endsWith(five.toString()))
                .toList();
        assertThat(calls.subList(0, 4))
                .containsExactly("add-learner " + four, "add-learner " + five, "promote " + four, "promote " + five);
        assertThat(calls.subList(4, 6)).containsExactlyInAnyOrder("remove " + four, "remove " + five);
    }

    @Test
    void earlierControlPlaneMembershipErrorsAreClear() throws Exception {
        assertError(send("POST", "/init", "{\"members\":[1]}"), 400, "invalid_argument", "NodeId text");
        assertError(
                send("POST", "/init", "{\"members\":[\"" + randomNodeId() + "\"]}"),
                412,
                "failed_precondition",
                "/add-learner");
        assertError(
                send("POST", "/add-learner", "{\"node_id\":2}"), 400, "invalid_argument", "'node_id' is the integer 2");
        assertError(
                send("POST", "/change-membership", "{\"members\":[\"" + randomNodeId() + "\"]}"),
                400,
                "invalid_argument",
                "not a member");
        assertError(send("POST", "/change-membership", "{\"members\":[]}"), 400, "invalid_argument", "at least one");
        admin.leaderKnown = false;
        try {
            assertError(send("POST", "/init", "{}"), 503, "unavailable", "bootstrap-expect");
            assertThat(json(send("GET", "/leader", null)).get("leader").isNull())
                    .isTrue();
        } finally {
            admin.leaderKnown = true;
        }
    }

    @Test
    void earlierControlPlaneWritesAndReadsKeys() throws Exception {
        // rpc 21001/write '{"command":{"Set":{"key":"foo","value":"bar"}}}'
        JsonNode set = json(send("POST", "/write", "{\"command\":{\"Set\":{\"key\":\"foo\",\"value\":\"bar\"}}}"));
        assertThat(set.get("command").get("Set").get("value").asText()).isEqualTo("bar");
        assertThat(set.get("revision").asLong()).isPositive();
        // curl .../read -d '{"key":"foo"}' | jq -r '.value'
        JsonNode read = json(send("POST", "/read", "{\"key\":\"foo\"}"));
        assertThat(read.get("key").asText()).isEqualTo("foo");
        assertThat(read.get("value").asText()).isEqualTo("bar");
        // openraft's forms: a bare command and a JSON string key
        send("POST", "/write", "{\"Set\":{\"key\":\"foo\",\"value\":\"baz\"}}");
        assertThat(json(send("POST", "/read", "\"foo\"")).get("value").asText()).isEqualTo("baz");

        JsonNode multi = json(send(
                "POST",
                "/write",
                "{\"command\":{\"SetMulti\":{\"pairs\":[[\"config:timeout\",\"30\"],[\"config:retries\",\"3\"]]}}}"));
        long revision = multi.get("revision").asLong();
        assertThat(json(send("GET", "/v1/kv/config:timeout", null))
                        .get("mod_revision")
                        .asLong())
                .isEqualTo(revision);
        assertThat(json(send("GET", "/v1/kv/config:retries", null))
                        .get("mod_revision")
                        .asLong())
                .isEqualTo(revision);

        send("POST", "/write", "{\"command\":{\"DeleteMulti\":{\"keys\":[\"config:timeout\",\"config:retries\"]}}}");
        send("POST", "/write", "{\"command\":{\"Delete\":{\"key\":\"foo\"}}}");
        assertError(send("POST", "/read", "{\"key\":\"foo\"}"), 404, "not_found", "foo");
        assertError(send("POST", "/read", "{\"key\":\"config:retries\"}"), 404, "not_found", "");

        assertError(
                send("POST", "/write", "{\"command\":{\"Set\":{\"key\":\"k\"}}}"),
                400,
                "invalid_argument",
                "'command.Set.value' is required");
        assertError(
                send("POST", "/write", "{\"command\":{\"Append\":{}}}"), 400, "invalid_argument", "'command.Append'");
        assertError(
                send("POST", "/write", "{\"command\":{\"SetMulti\":{\"pairs\":[[\"k\"]]}}}"),
                400,
                "invalid_argument",
                "'command.SetMulti.pairs[0]'");
        assertError(send("POST", "/read", "{\"name\":\"foo\"}"), 400, "invalid_argument", "'key' is required");
        assertError(send("GET", "/write", null), 405, "method_not_allowed", "POST");
    }

    @Test
    void earlierControlPlaneReportsLeaderMetricsTicketAndNodeInfo() throws Exception {
        String self = node.nodeId().toString();
        assertThat(json(send("GET", "/leader", null)).get("leader").asText()).isEqualTo(self);
        JsonNode metrics = json(send("GET", "/raft-metrics", null));
        assertThat(metrics.get("state").asText()).isEqualTo("Leader");
        assertThat(metrics.get("current_leader").asText()).isEqualTo(self);
        assertThat(metrics.get("current_term").asInt()).isEqualTo(3);
        assertThat(metrics.get("last_applied").get("index").asLong()).isEqualTo(7);
        assertThat(metrics.get("replication").get(self).get("index").asLong()).isEqualTo(7);

        JsonNode ticket = json(send("GET", "/cluster-ticket", null));
        assertThat(ClusterTicket.parse(ticket.get("ticket").asText()).clusterId())
                .isEqualTo(admin.clusterId);
        assertThat(ticket.get("endpoint_id").asText()).isEqualTo(self);

        JsonNode info = json(send("GET", "/node-info", null));
        assertThat(info.get("node_id").asText()).isEqualTo(self);
        assertThat(info.get("endpoint_addr").asText()).isEqualTo(SocketAddresses.format(node.address()));
        assertThat(info.get("http_addr").asText()).isEqualTo(SocketAddresses.format(api.address()));

        assertThat(json(send("POST", "/trigger-snapshot", null))
                        .get("snapshot")
                        .get("index")
                        .asLong())
                .isEqualTo(42);
    }

    // ---- limits ---------------------------------------------------------------------------------

    @Test
    void aFullServerAnswers503AndWatchesAreBounded() throws Exception {
        FakeClusterAdmin slow = new FakeClusterAdmin(admin.clusterId, node.nodeId(), node.address());
        CompletableFuture<Void> gate = new CompletableFuture<>();
        slow.gate = gate;
        try (HttpApi small = HttpApi.start(HttpApi.Settings.builder(node.kv(), slow, node.nodeId(), node.address())
                .threads(1)
                .queueLength(1)
                .maxWatches(1)
                .keepAlive(Duration.ofMillis(100))
                .build())) {
            SseClient watch = SseClient.open(
                    HttpRequest.newBuilder(uri(small, "/v1/watch?key=limits")).build());
            assertError(get(small, "/v1/watch?key=other"), 503, "unavailable", "maximum of 1 watches");
            watch.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> small.openWatches() == 0);

            CompletableFuture<HttpResponse<String>> running = getAsync(small, "/v1/cluster");
            await().atMost(Duration.ofSeconds(10)).until(() -> slow.statusCalls.get() == 1);
            List<CompletableFuture<HttpResponse<String>>> more =
                    List.of(getAsync(small, "/v1/cluster"), getAsync(small, "/v1/cluster"));
            await().atMost(Duration.ofSeconds(10)).until(() -> more.stream().anyMatch(CompletableFuture::isDone));
            HttpResponse<String> refused = more.stream()
                    .filter(CompletableFuture::isDone)
                    .findFirst()
                    .orElseThrow()
                    .join();
            assertError(refused, 503, "unavailable", "overloaded");
            gate.complete(null);
            assertThat(running.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(more.stream()
                            .filter(f -> f.join() != refused)
                            .findFirst()
                            .orElseThrow()
                            .join()
                            .statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void settingsNameTheBadField() {
        var builder = HttpApi.Settings.builder(node.kv(), admin, node.nodeId(), node.address());
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> builder.threads(0).build())
                .hasMessageContaining("threads");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> builder.threads(1).token(Optional.of(" ")).build())
                .hasMessageContaining("token");
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(b(s));
    }

    private static NodeId randomNodeId() {
        byte[] bytes = new byte[NodeId.LENGTH];
        new Random().nextBytes(bytes);
        return NodeId.ofBytes(bytes);
    }

    private static URI uri(HttpApi target, String path) {
        InetSocketAddress address = target.address();
        return URI.create("http://" + SocketAddresses.format(address) + path);
    }

    private static HttpRequest request(String method, String path, String body, boolean auth) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(api, path))
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth) {
            builder.header("Authorization", "Bearer " + TOKEN);
        }
        return builder.build();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(request(method, path, body, true), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(HttpApi target, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(target, path))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static CompletableFuture<HttpResponse<String>> getAsync(HttpApi target, String path) {
        return http.sendAsync(HttpRequest.newBuilder(uri(target, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type"))
                .as(response.body())
                .hasValue("application/json");
        return JSON.readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String code, String messagePart)
            throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = json(response).get("error");
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("message").asText()).contains(messagePart);
    }

    private static List<String> keys(JsonNode scan) {
        List<String> keys = new ArrayList<>();
        scan.get("kvs").forEach(kv -> keys.add(kv.get("key").asText()));
        return keys;
    }

    private static String role(JsonNode status, NodeId id) {
        for (JsonNode member : status.get("members")) {
            if (member.get("node_id").asText().equals(id.toString())) {
                return member.get("role").asText();
            }
        }
        return "absent";
    }

    /** Reads a server-sent event stream on its own thread: data events as JSON, comments counted. */
    private static final class SseClient {
        private final InputStream body;
        private final LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        private final List<String> comments = new java.util.concurrent.CopyOnWriteArrayList<>();

        private SseClient(InputStream body) {
            this.body = body;
            Thread reader = new Thread(this::read, "sse-test-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static SseClient open(HttpRequest request) throws Exception {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
            return new SseClient(response.body());
        }

        private void read() {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("data: ")) {
                        events.add(JSON.readTree(line.substring(6)));
                    } else if (line.startsWith(":")) {
                        comments.add(line);
                    }
                }
            } catch (Exception e) {
                // the stream was closed by this client
            }
        }

        List<JsonNode> take(int count) throws InterruptedException {
            List<JsonNode> taken = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                JsonNode event = events.poll(10, TimeUnit.SECONDS);
                assertThat(event).as("event " + i + " of " + count).isNotNull();
                taken.add(event);
            }
            return taken;
        }

        List<String> comments() {
            return comments;
        }

        void close() throws Exception {
            body.close();
        }
    }
}
