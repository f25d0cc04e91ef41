package dev.aspen.mesh.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KvException;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.quic.AuthFailure;
import dev.aspen.mesh.quic.Protocol;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.mesh.quic.QuicEndpoint;
import dev.aspen.mesh.rpc.PeerConnector;
import dev.aspen.mesh.rpc.RpcClient;
import dev.aspen.mesh.rpc.RpcException;
import dev.aspen.tickets.ClusterCredentials;
import dev.aspen.tickets.ClusterId;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.TicketPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin protocol over real QUIC on loopback, against a fake {@link ClusterAdmin}. */
class AdminServiceTest {
    private static final Cookie COOKIE = Cookie.of("admin-test");
    private static final ClusterKey KEY = COOKIE.clusterKey();
    private static final int MAX_FRAME = 64 * 1024;
    private static final NodeId NEWCOMER = FakeClusterAdmin.id(0x44);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private FakeClusterAdmin admin;
    private QuicEndpoint server;

    @BeforeAll
    static void kwikThreads() {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    @BeforeEach
    void serve() throws IOException {
        admin = new FakeClusterAdmin(COOKIE.clusterId());
        server = track(admin.serve(KEY, MAX_FRAME));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private TicketPeer serverPeer() {
        return new TicketPeer(server.nodeId(), List.of(server.localAddress()));
    }

    private AdminClient client(ClusterKey key) throws IOException {
        return track(AdminClient.connect(List.of(serverPeer()), key, AdminClient.defaultSettings()));
    }

    private static KvException failureOf(Runnable call) {
        try {
            call.run();
        } catch (CompletionException e) {
            return (KvException) e.getCause();
        } catch (KvException e) {
            return e;
        }
        throw new AssertionError("the call succeeded");
    }

    @Test
    void everyOperationRoundTrips() throws Exception {
        AdminClient client = client(KEY);

        assertThat(client.status().join()).isEqualTo(admin.current());

        var address = new InetSocketAddress("127.0.0.1", 7444);
        ClusterStatus added = client.addLearner(NEWCOMER, List.of(address)).join();
        assertThat(added).isEqualTo(admin.current());
        assertThat(added.members()).anySatisfy(m -> {
            assertThat(m.nodeId()).isEqualTo(NEWCOMER);
            assertThat(m.voter()).isFalse();
            assertThat(m.quicAddress()).contains(address);
        });
        assertThat(client.addLearner(FakeClusterAdmin.id(0x55), List.of()).join())
                .isEqualTo(admin.current());

        assertThat(client.promote(NEWCOMER).join().voters())
                .extracting(ClusterStatus.Member::nodeId)
                .contains(NEWCOMER);
        assertThat(client.remove(FakeClusterAdmin.DEAD).join().members())
                .noneMatch(m -> m.nodeId().equals(FakeClusterAdmin.DEAD));
        assertThat(client.transferLeadership(Optional.of(NEWCOMER)).join().leader())
                .contains(NEWCOMER);
        assertThat(client.transferLeadership(Optional.empty()).join().leader()).contains(FakeClusterAdmin.FOLLOWER);
        assertThat(client.snapshot().join()).isEqualTo(FakeClusterAdmin.SNAPSHOT_INDEX);
        assertThat(client.ticket()).isEqualTo(admin.ticket());
        assertThat(client.currentNode()).contains(server.nodeId());

        assertThat(admin.calls())
                .containsExactly(
                        "status",
                        "add_learner " + NEWCOMER + " [" + address + "]",
                        "add_learner " + FakeClusterAdmin.id(0x55) + " []",
                        "promote " + NEWCOMER,
                        "remove " + FakeClusterAdmin.DEAD,
                        "transfer " + NEWCOMER,
                        "transfer any",
                        "snapshot",
                        "ticket",
                        "ticket");
    }

    @Test
    void notLeaderKeepsTheLeader() throws Exception {
        AdminClient client = client(KEY);
        admin.failWith(KvException.notLeader(FakeClusterAdmin.FOLLOWER.toString()));

        KvException e = failureOf(() -> client.promote(NEWCOMER).join());
        assertThat(e.code()).isEqualTo(ErrorCode.NOT_LEADER);
        assertThat(e.leaderId()).contains(FakeClusterAdmin.FOLLOWER.toString());
        assertThat(e.getMessage()).isEqualTo("not_leader: leader is " + FakeClusterAdmin.FOLLOWER);

        admin.failWith(KvException.notLeader(null));
        assertThat(failureOf(() -> client.status().join()).leaderId()).isEmpty();
    }

    @Test
    void errorsKeepTheirCodeAndMessage() throws Exception {
        AdminClient client = client(KEY);
        admin.failWith(KvException.of(ErrorCode.INVALID_ARGUMENT, "node X is already a member"));
        KvException invalid =
                failureOf(() -> client.addLearner(NEWCOMER, List.of()).join());
        assertThat(invalid.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(invalid.getMessage()).isEqualTo("invalid_argument: node X is already a member");

        admin.failWith(KvException.of(ErrorCode.FAILED_PRECONDITION, "another membership change is in progress"));
        KvException precondition =
                failureOf(() -> client.remove(FakeClusterAdmin.FOLLOWER).join());
        assertThat(precondition.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
        assertThat(precondition.getMessage())
                .isEqualTo("failed_precondition: another membership change is in progress");

        KvException fromTicket = failureOf(client::ticket);
        assertThat(fromTicket.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
        assertThat(failureOf(() -> client.snapshot().join()).code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
    }

    @Test
    void unexpectedFailuresOfTheAdminArriveAsUnavailable() throws Exception {
        AdminClient client = client(KEY);
        var broken = new FakeClusterAdmin(COOKIE.clusterId()) {
            @Override
            public java.util.concurrent.CompletableFuture<ClusterStatus> status() {
                throw new IllegalStateException("disk on fire");
            }
        };
        QuicEndpoint other = track(broken.serve(KEY, MAX_FRAME));
        AdminClient toBroken = track(AdminClient.connect(
                List.of(new TicketPeer(other.nodeId(), List.of(other.localAddress()))),
                KEY,
                AdminClient.defaultSettings()));
        KvException e = failureOf(() -> toBroken.status().join());
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains("disk on fire");
        assertThat(client.status().join()).isEqualTo(admin.current());
    }

    /** A raw RPC connection to the admin protocol, to send what no AdminClient would. */
    private RpcClient raw() throws IOException {
        QuicEndpoint dialer =
                track(QuicEndpoint.start(QuicConfig.builder().build(), NodeIdentity.generate(), KEY, List.of()));
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        track(timers::shutdownNow);
        return track(new RpcClient(
                dialer.connect(server.nodeId(), server.localAddress(), Protocol.ADMIN_ALPN),
                RpcClient.Settings.defaults(),
                timers));
    }

    private static KvException errorOf(byte[] reply) {
        return failureOf(() -> AdminWire.decodeStatus(reply));
    }

    @Test
    void garbageAndOversizedRequestsAreInvalidAndTheStreamKeepsServing() throws Exception {
        RpcClient rpc = raw();
        KvException notJson = errorOf(rpc.call("{not json".getBytes(UTF_8)).join());
        assertThat(notJson.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(notJson.getMessage()).startsWith("invalid_argument: admin request is not JSON");

        assertThat(errorOf(rpc.call("[1,2]".getBytes(UTF_8)).join()).getMessage())
                .isEqualTo("invalid_argument: admin request is not a JSON object");
        assertThat(errorOf(rpc.call("{\"v\":2,\"op\":\"status\"}".getBytes(UTF_8))
                                .join())
                        .getMessage())
                .isEqualTo("invalid_argument: admin request has version 2; this node speaks admin protocol 1");
        assertThat(errorOf(rpc.call("{\"v\":1,\"op\":\"reboot\"}".getBytes(UTF_8))
                                .join())
                        .getMessage())
                .isEqualTo("invalid_argument: unknown admin operation 'reboot'");
        assertThat(errorOf(rpc.call("{\"v\":1,\"op\":\"promote\"}".getBytes(UTF_8))
                                .join())
                        .getMessage())
                .isEqualTo("invalid_argument: admin request 'promote' needs a node_id");
        assertThat(errorOf(rpc.call("{\"v\":1,\"op\":\"remove\",\"node_id\":\"abc\"}".getBytes(UTF_8))
                                .join())
                        .getMessage())
                .isEqualTo("invalid_argument: node id must be 52 base32 characters, got 3");
        String badAddress = "{\"v\":1,\"op\":\"add_learner\",\"node_id\":\"" + NEWCOMER + "\",\"addresses\":[\"x\"]}";
        assertThat(errorOf(rpc.call(badAddress.getBytes(UTF_8)).join()).getMessage())
                .isEqualTo("invalid_argument: address 'x' has no port; expected HOST:PORT");

        byte[] big = new byte[AdminWire.MAX_REQUEST_BYTES + 1];
        Arrays.fill(big, (byte) ' ');
        assertThat(errorOf(rpc.call(big).join()).getMessage())
                .isEqualTo("invalid_argument: admin request of " + big.length + " bytes exceeds the limit of "
                        + AdminWire.MAX_REQUEST_BYTES);

        assertThat(AdminWire.decodeStatus(rpc.call(AdminWire.encode(AdminWire.Request.of(AdminWire.Op.STATUS)))
                        .join()))
                .isEqualTo(admin.current());
        assertThat(admin.calls()).containsExactly("status");
    }

    @Test
    void aFrameOverTheLimitEndsOnlyItsStream() throws Exception {
        RpcClient rpc = raw();
        assertThatThrownBy(() -> rpc.call(new byte[MAX_FRAME + 1]).join()).hasCauseInstanceOf(RpcException.class);
        assertThat(client(KEY).status().join()).isEqualTo(admin.current());
    }

    @Test
    void aClientWithAnotherClusterKeyIsRefused() {
        assertThatThrownBy(() -> client(Cookie.of("another cluster").clusterKey()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(server.nodeId().toString());
        assertThat(server.metrics().authFailures(AuthFailure.BAD_MAC)).isEqualTo(1);
        assertThat(admin.calls()).isEmpty();
    }

    @Test
    void givesTheJoinTicketAndTheClusterKeyToAnAdmittedClient() throws Exception {
        AdminClient client = client(KEY);
        assertThat(client.joinTicket()).isEqualTo(admin.joinTicket());
        assertThat(client.clusterCredentials()).isEqualTo(COOKIE.credentials());
    }

    @Test
    void aJoinTicketFetchesTheClusterKeyWithoutTheCookie() throws Exception {
        ClusterCredentials fetched = AdminClient.fetchCredentials(joinTicket(COOKIE.clusterId(), KEY));
        assertThat(fetched).isEqualTo(COOKIE.credentials());
        assertThat(server.metrics().admittedConnections()).isEqualTo(1);
    }

    @Test
    void aWrongJoinSecretIsRefusedAndNamed() {
        ClusterKey otherKey = Cookie.of("another cluster").clusterKey();
        assertThatThrownBy(() -> AdminClient.fetchCredentials(joinTicket(COOKIE.clusterId(), otherKey)))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("the cluster refused this ticket's join secret (BAD_MAC)")
                .hasMessageContaining("aspen cluster ticket --join");
        assertThat(server.metrics().authFailures(AuthFailure.BAD_MAC)).isEqualTo(1);
        assertThat(admin.calls()).isEmpty();
    }

    @Test
    void anAnswerThatIsNotTheTicketsClusterIsNotTrusted() {
        ClusterId otherId = Cookie.of("another cluster").clusterId();
        assertThatThrownBy(() -> AdminClient.fetchCredentials(joinTicket(otherId, KEY)))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("the ticket is for cluster " + otherId);
    }

    @Test
    void aTicketWithoutJoinSecretOrReachableNodeFailsClearly() throws Exception {
        assertThatThrownBy(
                        () -> AdminClient.fetchCredentials(ClusterTicket.of(COOKIE.clusterId(), List.of(serverPeer()))))
                .isInstanceOf(FormatException.class)
                .hasMessage(PeerConnector.NO_JOIN_SECRET);
        int closedPort;
        try (var socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        var nobody = new TicketPeer(server.nodeId(), List.of(new InetSocketAddress("127.0.0.1", closedPort)));
        var ticket = COOKIE.credentials().joinTicket(ClusterTicket.of(COOKIE.clusterId(), List.of(nobody)));
        assertThatThrownBy(() -> AdminClient.fetchCredentials(ticket))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot fetch the cluster key with the join ticket")
                .hasMessageContaining(server.nodeId().toString());
    }

    /** A ticket for this test's server, named {@code clusterId}, with the join secret of {@code key}. */
    private ClusterTicket joinTicket(ClusterId clusterId, ClusterKey key) {
        return new ClusterTicket(clusterId, Optional.of(key.joinSecret()), List.of(serverPeer()));
    }

    @Test
    void theAdminProtocolHasNoWatches() throws Exception {
        assertThat(raw().watch(AdminWire.encode(AdminWire.Request.of(AdminWire.Op.STATUS)), event -> {})
                        .ended()
                        .join())
                .isEqualTo("the admin protocol has no watches");
    }
}
