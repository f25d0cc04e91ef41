package dev.aspen.mesh.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.aspen.consensus.RaftGroupConfig;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.kv.Compare;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KvException;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.TxnResponse;
import dev.aspen.kv.Watch;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.WatchListener;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.node.ReplicaNode;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.TicketPeer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java client against three real replicas on loopback: QUIC, Raft, durable logs, Chronicle Map. */
class AspenClientTest {
    static {
        // Kwik sometimes throws inside its own threads when a connection ends (a NullPointerException
        // in ServerConnectorImpl.closed); that is not what these tests check.
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    private static final String COOKIE = "client-test";

    @TempDir
    Path dir;

    private final Map<NodeId, InetSocketAddress> addresses = new ConcurrentHashMap<>();
    private final List<ReplicaNode> nodes = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private ClusterTicket ticket;

    @BeforeEach
    void startCluster() throws Exception {
        List<NodeIdentity> identities =
                List.of(NodeIdentity.generate(), NodeIdentity.generate(), NodeIdentity.generate());
        List<NodeId> members = identities.stream().map(NodeIdentity::nodeId).toList();
        for (int i = 0; i < 3; i++) {
            ReplicaNode node = ReplicaNode.start(new ReplicaNode.Settings(
                    dir.resolve("n" + i),
                    identities.get(i),
                    Cookie.of(COOKIE).clusterKey(),
                    "kv",
                    members,
                    id -> Optional.ofNullable(addresses.get(id)).map(List::of).orElse(List.of()),
                    QuicConfig.builder().build(),
                    RaftGroupConfig.defaults()));
            addresses.put(node.nodeId(), node.address());
            nodes.add(node);
        }
        ticket = ClusterTicket.of(
                Cookie.of(COOKIE).clusterId(),
                nodes.stream()
                        .map(n -> new TicketPeer(n.nodeId(), List.of(n.address())))
                        .toList());
        await().atMost(Duration.ofSeconds(30)).until(() -> leader().isPresent());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        for (ReplicaNode node : nodes) {
            node.close();
        }
    }

    private Optional<ReplicaNode> leader() {
        return nodes.stream()
                .filter(n -> {
                    try {
                        return n.group().report().get(5, TimeUnit.SECONDS).role() == RaftGroupReport.Role.LEADER;
                    } catch (Exception e) {
                        return false;
                    }
                })
                .findFirst();
    }

    /** A client whose ticket lists only {@code node}, so it must talk to that node. */
    private AspenClient clientOf(ReplicaNode node) throws Exception {
        var only =
                ClusterTicket.of(ticket.clusterId(), List.of(new TicketPeer(node.nodeId(), List.of(node.address()))));
        AspenClient client = AspenClient.connect(only, COOKIE);
        closeables.add(client);
        return client;
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void everyOperationWorksThroughAFollower() throws Exception {
        ReplicaNode follower = nodes.stream()
                .filter(n -> n != leader().orElseThrow())
                .findFirst()
                .orElseThrow();
        AspenClient client = clientOf(follower);

        long r1 = client.put(b("app/a"), b("1")).join().revision();
        assertThat(client.get(b("app/a")).join().kv().orElseThrow().value())
                .asString(UTF_8)
                .isEqualTo("1");
        client.putAll(List.of(new TxnOp.Put(b("app/b"), b("2"), 0, false), new TxnOp.Put(b("app/c"), b("3"), 0, false)))
                .join();
        assertThat(client.scan(KeyRange.prefix(b("app/")), 10, false, ReadConsistency.LINEARIZABLE)
                        .join()
                        .kvs())
                .extracting(kv -> new String(kv.key(), UTF_8))
                .containsExactly("app/a", "app/b", "app/c");

        TxnResponse cas = client.txn(
                        List.of(Compare.number(b("app/a"), Compare.Target.MOD_REVISION, Compare.Op.EQUAL, r1)),
                        List.of(new TxnOp.Put(b("app/a"), b("cas"), 0, false)),
                        List.of())
                .join();
        assertThat(cas.succeeded()).isTrue();
        TxnResponse stale = client.txn(
                        List.of(Compare.number(b("app/a"), Compare.Target.MOD_REVISION, Compare.Op.EQUAL, r1)),
                        List.of(new TxnOp.Put(b("app/a"), b("lost"), 0, false)),
                        List.of())
                .join();
        assertThat(stale.succeeded()).isFalse();
        assertThat(client.get(b("app/a"), ReadConsistency.stale()).join().kv()).isPresent();

        long lease = client.leaseGrant(30).join().id();
        client.put(b("leased"), b("x"), lease, false).join();
        assertThat(client.leaseTimeToLive(lease, ReadConsistency.LINEARIZABLE)
                        .join()
                        .remainingMillis())
                .isPositive();
        client.leaseRevoke(lease).join();
        assertThat(client.get(b("leased")).join().kv()).isEmpty();

        assertThat(client.delete(KeyRange.prefix(b("app/")), false).join().deleted())
                .isEqualTo(3);
    }

    @Test
    void aClientMovesToTheLeaderAFollowerNamesAndKeepsItsWatchOnTheFollower() throws Exception {
        ReplicaNode leader = leader().orElseThrow();
        ReplicaNode follower =
                nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        var followerFirst = ClusterTicket.of(
                ticket.clusterId(),
                List.of(
                        new TicketPeer(follower.nodeId(), List.of(follower.address())),
                        new TicketPeer(leader.nodeId(), List.of(leader.address()))));
        AspenClient client = AspenClient.connect(followerFirst, COOKIE);
        closeables.add(client);
        var events = new CopyOnWriteArrayList<WatchEvent>();
        var cancelled = new AtomicReference<KvException>();
        client.watch(KeyRange.prefix(b("m/")), 0, false, new WatchListener() {
                    @Override
                    public void onEvents(List<WatchEvent> batch) {
                        events.addAll(batch);
                    }

                    @Override
                    public void onCancelled(KvException reason) {
                        cancelled.set(reason);
                    }
                })
                .get(10, TimeUnit.SECONDS);
        assertThat(client.currentNode()).contains(follower.nodeId());

        for (int i = 0; i < 5; i++) {
            client.put(b("m/" + i), b("v")).join();
            assertThat(client.currentNode())
                    .as("writes go to the leader itself")
                    .contains(leader.nodeId());
        }
        // The follower's connection still carries the watch: it closes only once nothing is outstanding on it.
        await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 5);
        assertThat(cancelled.get()).isNull();
    }

    @Test
    void watchStreamsEveryChangeInOrder() throws Exception {
        AspenClient client = clientOf(nodes.get(0));
        var events = new CopyOnWriteArrayList<WatchEvent>();
        var cancelled = new AtomicReference<KvException>();
        Watch watch = client.watch(KeyRange.prefix(b("w/")), 0, false, new WatchListener() {
                    @Override
                    public void onEvents(List<WatchEvent> batch) {
                        events.addAll(batch);
                    }

                    @Override
                    public void onCancelled(KvException reason) {
                        cancelled.set(reason);
                    }
                })
                .get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 20; i++) {
            client.put(b("w/" + (i % 3)), b("v" + i)).join();
        }
        client.delete(KeyRange.key(b("w/0")), false).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 21);
        List<Long> revisions = events.stream().map(WatchEvent::revision).toList();
        assertThat(revisions).isSorted().doesNotHaveDuplicates();
        assertThat(events.get(20).type()).isEqualTo(WatchEvent.Type.DELETE);
        watch.close();
        assertThat(cancelled.get()).isNull();
    }

    @Test
    void watchFromAnEarlierRevisionReplaysHistoryAndABadStartFails() throws Exception {
        AspenClient client = clientOf(nodes.get(0));
        long first = client.put(b("h"), b("1")).join().revision();
        client.put(b("h"), b("2")).join();
        var events = new CopyOnWriteArrayList<WatchEvent>();
        WatchListener recorder = new WatchListener() {
            @Override
            public void onEvents(List<WatchEvent> batch) {
                events.addAll(batch);
            }

            @Override
            public void onCancelled(KvException reason) {}
        };
        client.watch(KeyRange.key(b("h")), first, false, recorder).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 2);
        assertThat(events).extracting(e -> new String(e.kv().value(), UTF_8)).containsExactly("1", "2");

        assertThatThrownBy(() ->
                        client.watch(KeyRange.key(b("h")), -5, false, recorder).join())
                .cause()
                .isInstanceOfSatisfying(
                        KvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    @Test
    void readsMoveToAnotherNodeWhenTheirNodeDies() throws Exception {
        AspenClient client = AspenClient.connect(ticket, COOKIE);
        closeables.add(client);
        client.put(b("k"), b("v")).join();
        NodeId first = client.currentNode().orElseThrow();
        ReplicaNode dying =
                nodes.stream().filter(n -> n.nodeId().equals(first)).findFirst().orElseThrow();
        dying.close();
        nodes.remove(dying);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> "v"
                .equals(new String(client.get(b("k")).join().kv().orElseThrow().value(), UTF_8)));
        assertThat(client.currentNode()).isPresent().get().isNotEqualTo(first);
    }

    @Test
    void closeLeavesNoThreadThatKeepsTheJvmAlive() throws Exception {
        // Talk to the leader only, so no node opens a forwarding connection (node threads are not the client's).
        ReplicaNode leader = leader().orElseThrow();
        var only = ClusterTicket.of(
                ticket.clusterId(), List.of(new TicketPeer(leader.nodeId(), List.of(leader.address()))));
        var before = nonDaemonThreads();
        AspenClient client = AspenClient.connect(only, COOKIE);
        client.put(b("t"), b("1")).join();
        client.close();
        await().atMost(Duration.ofSeconds(10)).pollInSameThread().untilAsserted(() -> assertThat(nonDaemonThreads())
                .isSubsetOf(before));
    }

    /**
     * Non-daemon threads, except Kwik's server-side {@code ServerConnectorImpl} shared scheduler: an
     * unnamed {@code pool-N-thread-M} that a node's endpoint starts on first use (for example when a
     * client's connection closes), which belongs to the test's nodes, not to the client. The client's
     * own threads are named ({@code aspen-*}) or Kwik's client threads, all daemon but this check's
     * subject; Kwik's only other unnamed pool (its keep-alive actor) is not used by Aspen.
     */
    private static java.util.Set<String> nonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.isDaemon() && !t.getName().startsWith("pool-"))
                .map(t -> t.getName() + "#" + t.getId())
                .collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void wrongCookieIsRefused() {
        assertThatThrownBy(() -> AspenClient.connect(ticket, "not the cookie"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the cookie belongs to cluster");
    }

    @Test
    void badArgumentsComeBackAsInvalidArgument() throws Exception {
        AspenClient client = clientOf(nodes.get(0));
        assertThatThrownBy(() -> client.put(new byte[5000], b("v")).join())
                .cause()
                .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.code())
                        .isIn(ErrorCode.TOO_LARGE, ErrorCode.INVALID_ARGUMENT));
    }
}
