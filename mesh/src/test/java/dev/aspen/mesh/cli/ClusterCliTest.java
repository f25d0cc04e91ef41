package dev.aspen.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KvException;
import dev.aspen.mesh.cluster.ClusterStatusJson;
import dev.aspen.mesh.cluster.FakeClusterAdmin;
import dev.aspen.mesh.node.NodeFiles;
import dev.aspen.mesh.quic.Frames;
import dev.aspen.mesh.quic.QuicEndpoint;
import dev.aspen.mesh.rpc.PeerConnector;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import dev.aspen.tickets.TicketPeer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aspen cluster ...} against a fake ClusterAdmin served over the real admin protocol. */
class ClusterCliTest {
    private static final String COOKIE = "cluster-cli-test";
    private static final NodeId NEWCOMER = FakeClusterAdmin.id(0x44);

    @TempDir
    Path dir;

    private FakeClusterAdmin admin;
    private QuicEndpoint server;
    private String ticket;

    private record Run(int exitCode, String out, String err) {}

    @BeforeAll
    static void kwikThreads() {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    @BeforeEach
    void serve() throws Exception {
        admin = new FakeClusterAdmin(Cookie.of(COOKIE).clusterId());
        server = admin.serve(Cookie.of(COOKIE).clusterKey(), Frames.DEFAULT_MAX_FRAME_BYTES);
        ticket = ClusterTicket.of(
                        Cookie.of(COOKIE).clusterId(),
                        List.of(new TicketPeer(server.nodeId(), List.of(server.localAddress()))))
                .toString();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Run aspen(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = AspenMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private Run cluster(String... args) {
        var all = new ArrayList<>(List.of("cluster"));
        all.addAll(List.of(args));
        all.addAll(List.of("--ticket", ticket, "--cookie", COOKIE));
        Run run = aspen(all.toArray(String[]::new));
        return run;
    }

    private static Run ok(Run run) {
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run;
    }

    @Test
    void statusIsAnAlignedTableWithTheLeaderMarked() {
        List<String> lines = ok(cluster("status")).out().lines().toList();
        assertThat(lines.get(0))
                .isEqualTo("cluster " + Cookie.of(COOKIE).clusterId() + ", as seen by " + FakeClusterAdmin.LEADER
                        + " (leader)");
        assertThat(lines.get(1)).isEqualTo("leader " + FakeClusterAdmin.LEADER + ", term 7, commit 120, applied 119");
        String header = lines.get(3);
        assertThat(header).startsWith("   NODE");
        String leaderRow = lines.stream()
                .filter(l -> l.contains(FakeClusterAdmin.LEADER.toString()) && l.startsWith("*"))
                .findFirst()
                .orElseThrow();
        String followerRow = lines.stream()
                .filter(l -> l.contains(FakeClusterAdmin.FOLLOWER.toString()))
                .findFirst()
                .orElseThrow();
        String deadRow = lines.stream()
                .filter(l -> l.contains(FakeClusterAdmin.DEAD.toString()))
                .findFirst()
                .orElseThrow();
        for (String column : List.of("ROLE", "HEALTH", "QUIC", "HTTP", "MATCH", "LAG")) {
            int at = header.indexOf(column);
            assertThat(leaderRow.charAt(at - 1)).as(column).isEqualTo(' ');
            assertThat(leaderRow.charAt(at)).as(column).isNotEqualTo(' ');
            assertThat(followerRow.charAt(at)).as(column).isNotEqualTo(' ');
        }
        assertThat(leaderRow.substring(header.indexOf("ROLE"))).startsWith("voter  self");
        assertThat(followerRow).startsWith(" ").endsWith("117    3");
        assertThat(leaderRow).contains("127.0.0.1:7001", "127.0.0.1:8001").endsWith("120    0");
        assertThat(deadRow).contains("dead since 2025-01-02T03:04:05.678Z").endsWith("-      -");
        assertThat(lines).contains("autopilot active, target 3 voters, dead voter grace 30s");
        assertThat(lines).anyMatch(l -> l.contains("remove " + FakeClusterAdmin.DEAD + ": dead for 30 s -> ok"));
    }

    @Test
    void statusJsonIsTheClusterStatusJson() throws Exception {
        Run run = ok(cluster("status", "--json"));
        assertThat(ClusterStatusJson.fromJson(new ObjectMapper().readTree(run.out())))
                .isEqualTo(admin.current());
    }

    @Test
    void membershipCommandsReachTheAdmin() throws Exception {
        assertThat(ok(cluster("add-learner", NEWCOMER.toString(), "127.0.0.1:7444", "[::1]:7444"))
                        .out())
                .startsWith("learner " + NEWCOMER + " added\n\ncluster ")
                .contains(NEWCOMER + "  learner");
        assertThat(ok(cluster("promote", NEWCOMER.toString())).out()).startsWith(NEWCOMER + " promoted to voter");
        var removed = ok(cluster("remove", FakeClusterAdmin.DEAD.toString(), "--json"));
        assertThat(ClusterStatusJson.fromJson(new ObjectMapper().readTree(removed.out()))
                        .members())
                .noneMatch(m -> m.nodeId().equals(FakeClusterAdmin.DEAD));
        assertThat(ok(cluster("transfer", NEWCOMER.toString())).out())
                .startsWith("leadership transferred to " + NEWCOMER);
        assertThat(ok(cluster("transfer")).out()).startsWith("leadership transferred to " + FakeClusterAdmin.FOLLOWER);
        assertThat(admin.calls())
                .containsExactly(
                        "add_learner " + NEWCOMER + " [/127.0.0.1:7444, /[0:0:0:0:0:0:0:1]:7444]",
                        "promote " + NEWCOMER,
                        "remove " + FakeClusterAdmin.DEAD,
                        "transfer " + NEWCOMER,
                        "transfer any");
    }

    @Test
    void snapshotAndTicket() throws Exception {
        assertThat(ok(cluster("snapshot")).out())
                .isEqualTo(
                        "snapshot taken on " + server.nodeId() + " at index " + FakeClusterAdmin.SNAPSHOT_INDEX + "\n");
        assertThat(new ObjectMapper()
                        .readTree(ok(cluster("snapshot", "--json")).out())
                        .get("snapshot_index")
                        .asLong())
                .isEqualTo(FakeClusterAdmin.SNAPSHOT_INDEX);
        assertThat(ClusterTicket.parse(ok(cluster("ticket")).out().strip())).isEqualTo(admin.ticket());
        assertThat(ClusterTicket.parse(new ObjectMapper()
                        .readTree(ok(cluster("ticket", "--json")).out())
                        .get("ticket")
                        .asText()))
                .isEqualTo(admin.ticket());
        assertThat(ClusterTicket.parse(ok(cluster("ticket", "--join")).out().strip()))
                .isEqualTo(admin.joinTicket());
    }

    @Test
    void aJoinTicketAdmitsTheClientWithoutACookie() {
        String joinTicket = Cookie.of(COOKIE)
                .credentials()
                .joinTicket(ClusterTicket.parse(ticket))
                .toString();
        assertThat(ok(aspen("cluster", "status", "--ticket", joinTicket)).out()).contains("(* leader)");
        Run plain = aspen("cluster", "status", "--ticket", ticket);
        assertThat(plain.exitCode()).isEqualTo(2);
        assertThat(plain.err()).isEqualTo("aspen: " + PeerConnector.NO_JOIN_SECRET + "\n");
    }

    @Test
    void theDataDirOfANodeThatJoinedWithAJoinTicketAdmitsWithItsClusterKey() throws Exception {
        ClusterTicket joinTicket = Cookie.of(COOKIE).credentials().joinTicket(ClusterTicket.parse(ticket));
        NodeFiles.credentials(dir, Optional.empty(), Optional.of(joinTicket), t -> Cookie.of(COOKIE)
                .credentials());
        NodeFiles.writeNodeInfo(
                dir,
                new NodeFiles.NodeInfo(
                        server.nodeId().toString(),
                        Cookie.of(COOKIE).clusterId().toString(),
                        SocketAddresses.format(server.localAddress()),
                        ticket));
        assertThat(ok(aspen("cluster", "status", "--data-dir", dir.toString())).out())
                .contains("(* leader)");
    }

    @Test
    void theDataDirNamesTheNodeAndItsCookie() throws Exception {
        NodeFiles.cookie(dir, Optional.of(COOKIE));
        NodeFiles.writeNodeInfo(
                dir,
                new NodeFiles.NodeInfo(
                        server.nodeId().toString(),
                        Cookie.of(COOKIE).clusterId().toString(),
                        SocketAddresses.format(server.localAddress()),
                        admin.ticket().toString()));
        // The ticket names nodes that do not exist here: the node of the data dir is tried first.
        assertThat(ok(aspen("cluster", "snapshot", "--data-dir", dir.toString()))
                        .out())
                .contains(server.nodeId().toString());
        String peer = server.nodeId() + "@" + SocketAddresses.format(server.localAddress());
        assertThat(ok(aspen("cluster", "status", "--node", peer, "--cookie", COOKIE))
                        .out())
                .contains("(* leader)");
    }

    @Test
    void refusalsExitOneWithTheNodesMessage() {
        admin.failWith(KvException.notLeader(FakeClusterAdmin.FOLLOWER.toString()));
        Run notLeader = cluster("promote", NEWCOMER.toString());
        assertThat(notLeader.exitCode()).isEqualTo(1);
        assertThat(notLeader.out()).isEmpty();
        assertThat(notLeader.err()).isEqualTo("aspen: not_leader: leader is " + FakeClusterAdmin.FOLLOWER + "\n");

        admin.failWith(KvException.of(ErrorCode.FAILED_PRECONDITION, "removal would leave no majority"));
        Run refused = cluster("remove", FakeClusterAdmin.FOLLOWER.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("aspen: failed_precondition: removal would leave no majority\n");
        assertThat(cluster("ticket").err()).isEqualTo("aspen: failed_precondition: removal would leave no majority\n");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        Run badId = cluster("promote", "n0de");
        assertThat(badId.exitCode()).isEqualTo(2);
        assertThat(badId.err().lines().findFirst().orElseThrow())
                .isEqualTo("aspen: Invalid value for positional parameter at index 0 (NODEID): "
                        + "node id must be 52 base32 characters, got 4");
        Run badAddress = cluster("add-learner", NEWCOMER.toString(), "localhost:7000");
        assertThat(badAddress.exitCode()).isEqualTo(2);
        assertThat(badAddress.err()).contains("localhost:7000");
        assertThat(cluster("remove").exitCode()).isEqualTo(2);
        assertThat(cluster("status", "extra").exitCode()).isEqualTo(2);
        assertThat(aspen("cluster").exitCode()).isEqualTo(2);
        assertThat(admin.calls()).isEmpty();
    }

    @Test
    void anUnreachableNodeExitsOne() throws Exception {
        String peer =
                NEWCOMER + "@127.0.0.1:" + SocketAddresses.parse("127.0.0.1:1").getPort();
        Run run = aspen("cluster", "status", "--node", peer, "--cookie", COOKIE);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("aspen: no Aspen node could be reached: " + NEWCOMER);
    }
}
