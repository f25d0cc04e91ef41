package dev.aspen.mesh.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aspen.consensus.RaftGroupConfig;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.node.NodeFiles;
import dev.aspen.mesh.node.ReplicaNode;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.mesh.rpc.PeerConnector;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.SocketAddresses;
import dev.aspen.tickets.TicketPeer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aspen kv txn|watch} and {@code aspen lease ...} against one real single-node replica. */
class KvCliTest {
    private static final String COOKIE = "kv-cli-test";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static ReplicaNode node;
    private static String ticket;
    private static Path dataDir;

    private record Run(int exitCode, String out, String err) {}

    @BeforeAll
    static void startNode() throws Exception {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
        NodeIdentity identity = NodeIdentity.generate();
        node = ReplicaNode.start(new ReplicaNode.Settings(
                dir.resolve("node"),
                identity,
                Cookie.of(COOKIE).clusterKey(),
                "kv",
                List.of(identity.nodeId()),
                id -> List.of(),
                QuicConfig.builder().build(),
                RaftGroupConfig.defaults()));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> node.group().report().get(5, TimeUnit.SECONDS).role() == RaftGroupReport.Role.LEADER);
        ticket = ClusterTicket.of(
                        Cookie.of(COOKIE).clusterId(), List.of(new TicketPeer(node.nodeId(), List.of(node.address()))))
                .toString();
        dataDir = Files.createDirectories(dir.resolve("data"));
        NodeFiles.cookie(dataDir, Optional.of(COOKIE));
        NodeFiles.writeNodeInfo(
                dataDir,
                new NodeFiles.NodeInfo(
                        node.nodeId().toString(),
                        Cookie.of(COOKIE).clusterId().toString(),
                        SocketAddresses.format(node.address()),
                        ticket));
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    private static Run aspen(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = AspenMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Runs a command against the node, through its ticket and cookie. */
    private static Run remote(String... args) {
        var all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--ticket", ticket, "--cookie", COOKIE));
        return aspen(all.toArray(String[]::new));
    }

    private static Run ok(Run run) {
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run;
    }

    @Test
    void txnCreatesAKeyOnlyWhenItIsAbsent() {
        Run created =
                ok(remote("kv", "txn", "--if", "version(txn/k)=0", "--then", "put(txn/k)=v1", "--else", "get(txn/k)"));
        assertThat(created.out()).startsWith("succeeded (revision ").contains("put txn/k: OK");

        Run lost =
                ok(remote("kv", "txn", "--if", "version(txn/k)=0", "--then", "put(txn/k)=v2", "--else", "get(txn/k)"));
        assertThat(lost.out()).startsWith("compare failed, ran --else").contains("get txn/k: v1");

        ok(remote(
                "kv",
                "txn",
                "--if",
                "value(txn/k)=v1",
                "--if",
                "mod(txn/k)>0",
                "--then",
                "put(txn/k)=a=b",
                "--then",
                "put(txn/other)=x"));
        Run scan = ok(remote("kv", "txn", "--then", "scan(txn/)", "--then", "delprefix(txn/)"));
        assertThat(scan.out()).contains("scan txn/: 2 keys", "  txn/k = a=b", "  txn/other = x", "del txn/: 2 deleted");
        assertThat(remote("kv", "get", "txn/k").exitCode()).isEqualTo(1);
    }

    @Test
    void txnJsonOutputParses() throws Exception {
        ok(remote("kv", "put", "json/k", "v"));
        Run run = ok(remote(
                "kv",
                "txn",
                "--json",
                "--if",
                "value(json/k)!=v",
                "--then",
                "del(json/k)",
                "--else",
                "get(json/k)",
                "--else",
                "get(json/missing)"));
        JsonNode json = JSON.readTree(run.out());
        assertThat(json.get("succeeded").asBoolean()).isFalse();
        assertThat(json.get("revision").asLong()).isPositive();
        assertThat(json.get("responses")).hasSize(2);
        assertThat(json.get("responses").get(0).get("op").asText()).isEqualTo("get");
        assertThat(Base64.getDecoder()
                        .decode(json.get("responses")
                                .get(0)
                                .get("kv")
                                .get("value")
                                .asText()))
                .asString(UTF_8)
                .isEqualTo("v");
        assertThat(json.get("responses").get(1).get("kv").isNull()).isTrue();
    }

    @Test
    void txnReadsJsonFromAFile() throws Exception {
        Path file = dir.resolve("txn.json");
        Files.writeString(file, """
                {"compare": [{"target": "version", "key": "file (k)", "op": "=", "number": 0}],
                 "success": [{"op": "put", "key": "file (k)", "value": "from file"}],
                 "failure": [{"op": "get", "key": "file (k)"}]}
                """);
        ok(remote("kv", "txn", "--file", file.toString()));
        assertThat(ok(remote("kv", "get", "file (k)")).out()).isEqualTo("from file\n");
        assertThat(ok(remote("kv", "txn", "--file", file.toString())).out()).contains("get file (k): from file");
    }

    @Test
    void badTransactionsAreUsageErrorsBeforeAnyConnection() throws Exception {
        Run bad = aspen("kv", "txn", "--if", "nonsense", "--then", "get(k)");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err())
                .isEqualTo("aspen: compare 'nonsense' must look like TARGET(KEY)OP OPERAND, e.g. version(k)=0 or"
                        + " value(k)!=x\n");
        assertThat(aspen("kv", "txn", "--if", "version(k)=x").err())
                .isEqualTo("aspen: compare version(k) needs an integer, got 'x'\n");
        assertThat(aspen("kv", "txn", "--if", "size(k)=1").err())
                .isEqualTo("aspen: compare target 'size' must be value, version, create, mod or lease\n");
        assertThat(aspen("kv", "txn", "--then", "incr(k)").err())
                .isEqualTo("aspen: operation 'incr' must be put, get, del, delprefix or scan (put needs =VALUE)\n");
        assertThat(aspen("kv", "txn").err())
                .isEqualTo("aspen: the transaction is empty: give --if, --then or --else, or --file\n");
        Path notJson = Files.writeString(dir.resolve("bad.json"), "{\"compare\": [");
        Run badFile = aspen("kv", "txn", "--file", notJson.toString());
        assertThat(badFile.exitCode()).isEqualTo(2);
        assertThat(badFile.err()).startsWith("aspen: " + notJson + " is not valid JSON");
        assertThat(aspen("kv", "txn", "--file", notJson.toString(), "--then", "get(k)")
                        .exitCode())
                .isEqualTo(2);
    }

    @Test
    void watchReplaysFromARevisionAndStopsAfterCount() {
        long first = revisionOf(ok(remote("kv", "put", "watch/a", "1", "--json")));
        ok(remote("kv", "put", "watch/b", "2"));
        ok(remote("kv", "del", "watch/a"));

        Run run = ok(
                remote("kv", "watch", "watch/", "--prefix", "--from-revision", String.valueOf(first), "--count", "3"));
        assertThat(run.out().lines().toList())
                .containsExactly(
                        "PUT watch/a = 1 (revision " + first + ")",
                        "PUT watch/b = 2 (revision " + (first + 1) + ")",
                        "DELETE watch/a (revision " + (first + 2) + ")");
    }

    private static long revisionOf(Run put) {
        try {
            return JSON.readTree(put.out()).get("revision").asLong();
        } catch (Exception e) {
            throw new AssertionError(put.out(), e);
        }
    }

    @Test
    void watchPrintsNewEventsAsJsonLines() throws Exception {
        CompletableFuture<Run> watching =
                CompletableFuture.supplyAsync(() -> remote("kv", "watch", "live", "--count", "2", "--json"));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            ok(remote("kv", "put", "live", "x"));
            return watching.isDone();
        });
        Run run = watching.join();
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(2);
        for (String line : lines) {
            JsonNode event = JSON.readTree(line);
            assertThat(event.get("type").asText()).isEqualTo("put");
            assertThat(event.get("kv").get("key").asText()).isEqualTo("live");
        }
    }

    @Test
    void watchBadCountIsAUsageError() {
        Run run = aspen("kv", "watch", "k", "--count", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("aspen: --count must be at least 1, got 0\n");
    }

    @Test
    void leaseLifecycle() throws Exception {
        JsonNode granted =
                JSON.readTree(ok(remote("lease", "grant", "60", "--json")).out());
        String id = granted.get("id").asText();
        assertThat(granted.get("ttl").asLong()).isEqualTo(60);

        ok(remote("kv", "put", "leased/a", "1", "--lease", id));
        ok(remote("kv", "put", "leased/b", "2", "--lease", id));
        assertThat(ok(remote("lease", "ttl", id)).out())
                .startsWith("lease " + id + ": granted TTL 60s, remaining ")
                .endsWith(", keys: leased/a, leased/b\n");
        JsonNode ttl = JSON.readTree(ok(remote("lease", "ttl", id, "--json")).out());
        assertThat(ttl.get("remaining_ms").asLong()).isBetween(1L, 60_000L);

        assertThat(ok(remote("lease", "keepalive", id, "--once")).out())
                .isEqualTo("lease " + id + " kept alive, TTL 60s\n");
        assertThat(ok(remote("lease", "revoke", id)).out()).startsWith("lease " + id + " revoked, 2 keys deleted");
        assertThat(remote("kv", "get", "leased/a").exitCode()).isEqualTo(1);

        Run gone = remote("lease", "keepalive", id);
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err())
                .startsWith("aspen: ")
                .contains("lease_not_found")
                .doesNotContain("unavailable")
                .hasLineCount(1);
        assertThat(remote("lease", "ttl", id).exitCode()).isEqualTo(1);
        assertThat(aspen("lease", "grant", "0").err()).isEqualTo("aspen: TTL must be at least 1 second, got 0\n");
        assertThat(aspen("lease", "revoke", "abc").exitCode()).isEqualTo(2);
    }

    @Test
    void everyWayToNameTheNodeWorks() {
        ok(remote("kv", "put", "where", "ticket"));
        assertThat(ok(aspen("kv", "get", "where", "--data-dir", dataDir.toString()))
                        .out())
                .isEqualTo("ticket\n");
        String peer = node.nodeId() + "@" + SocketAddresses.format(node.address());
        assertThat(ok(aspen("lease", "grant", "5", "--node", peer, "--cookie", COOKIE))
                        .out())
                .startsWith("lease ");
    }

    @Test
    void aJoinTicketAloneAdmitsKvCommands() {
        String joinTicket = Cookie.of(COOKIE)
                .credentials()
                .joinTicket(ClusterTicket.parse(ticket))
                .toString();
        ok(aspen("kv", "put", "joined/k", "with the join key", "--ticket", joinTicket));
        assertThat(ok(aspen("kv", "get", "joined/k", "--ticket", joinTicket)).out())
                .isEqualTo("with the join key\n");
    }

    @Test
    void badConnectionOptionsAreUsageErrors() {
        Run noCookie = aspen("kv", "get", "k", "--ticket", ticket);
        assertThat(noCookie.exitCode()).isEqualTo(2);
        assertThat(noCookie.err()).isEqualTo("aspen: " + PeerConnector.NO_JOIN_SECRET + "\n");

        Run wrongCluster = aspen("lease", "grant", "5", "--ticket", ticket, "--cookie", "another");
        assertThat(wrongCluster.exitCode()).isEqualTo(2);
        assertThat(wrongCluster.err()).startsWith("aspen: the cookie belongs to cluster ");

        Run badTicket = aspen("kv", "watch", "k", "--ticket", "birch1", "--cookie", COOKIE);
        assertThat(badTicket.exitCode()).isEqualTo(2);
        assertThat(badTicket.err()).isEqualTo("aspen: ticket must start with 'aspen'\n");

        Run badNode = aspen("kv", "txn", "--then", "get(k)", "--node", "abc@127.0.0.1:1", "--cookie", COOKIE);
        assertThat(badNode.exitCode()).isEqualTo(2);
        assertThat(badNode.err())
                .startsWith("aspen: Invalid value for option '--node'")
                .contains("node id must be");

        Run both = aspen("kv", "get", "k", "--ticket", ticket, "--data-dir", dataDir.toString());
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");

        Run noNode =
                aspen("kv", "get", "k", "--data-dir", dir.resolve("nothing").toString());
        assertThat(noNode.exitCode()).isEqualTo(2);
        assertThat(noNode.err()).contains("node.json does not exist");
    }
}
