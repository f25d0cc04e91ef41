package dev.aspen.mesh.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroup;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.consensus.ReplicatedStateMachine;
import dev.aspen.consensus.codec.RaftCodec;
import dev.aspen.consensus.store.DurableRaftStore;
import dev.aspen.consensus.store.StoreOptions;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.quic.Frames;
import dev.aspen.mesh.quic.OutboundChannel;
import dev.aspen.mesh.quic.PeerConnection;
import dev.aspen.mesh.quic.Protocol;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.mesh.quic.QuicEndpoint;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import io.microraft.model.message.RaftMessage;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.kwik.core.QuicStream;

/** Real Raft groups (durable logs on disk) whose every message crosses authenticated QUIC on loopback. */
class QuicRaftTransportTest {
    static {
        // Kwik sometimes throws inside its own threads when a connection ends (a NullPointerException
        // in ServerConnectorImpl.closed); that is not what these tests check.
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    private static final ClusterKey KEY = Cookie.of("raft-over-quic").clusterKey();
    private static final RaftCodec CODEC = new RaftCodec();

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<NodeId, InetSocketAddress> addressBook = new ConcurrentHashMap<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private record Member(NodeIdentity identity, QuicRaftTransport transport, QuicEndpoint endpoint) {}

    private Member member(NodeIdentity identity, Set<NodeId> members, Consumer<RaftMessage> sink, int port)
            throws Exception {
        var transport = track(new QuicRaftTransport(
                identity.nodeId(),
                CODEC,
                id -> Optional.ofNullable(addressBook.get(id)).map(List::of).orElse(List.of()),
                OutboundChannel.Settings.defaults(),
                Frames.DEFAULT_MAX_FRAME_BYTES));
        QuicEndpoint endpoint = track(QuicEndpoint.start(
                QuicConfig.builder().port(port).build(),
                identity,
                KEY,
                List.of(transport.protocol(members::contains, sink))));
        transport.attach(endpoint);
        addressBook.put(identity.nodeId(), endpoint.localAddress());
        return new Member(identity, transport, endpoint);
    }

    /** One node: QUIC endpoint, durable log in {@code dir}, and a Raft group member. */
    private final class Node {
        final NodeIdentity identity;
        final Path dir;
        final ListMachine machine = new ListMachine();
        Member member;
        DurableRaftStore store;
        volatile RaftGroup group;

        Node(NodeIdentity identity, Path dir) {
            this.identity = identity;
            this.dir = dir;
        }

        NodeEndpoint endpoint() {
            return new NodeEndpoint(identity.nodeId());
        }

        void start(Set<NodeId> ids, List<NodeEndpoint> initial, int port) throws Exception {
            member = member(identity, ids, message -> group.handle(message), port);
            store = DurableRaftStore.open(dir, CODEC, StoreOptions.defaults());
            RaftGroup.Builder builder = RaftGroup.builder("quic-test", endpoint())
                    .stateMachine(machine)
                    .transport(member.transport())
                    .store(store);
            group = store.restoredState().map(builder::restart).orElseGet(() -> builder.startNew(initial));
        }

        void stop() throws Exception {
            group.terminate().get(10, TimeUnit.SECONDS);
            store.close();
            member.transport().close();
            member.endpoint().close();
        }
    }

    @Test
    void threeNodeGroupCommitsOverQuicAndARestartedMemberCatchesUp(@TempDir Path dir) throws Exception {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(new Node(NodeIdentity.generate(), dir.resolve("n" + i)));
        }
        Set<NodeId> ids = nodes.stream().map(n -> n.identity.nodeId()).collect(Collectors.toSet());
        List<NodeEndpoint> initial = nodes.stream().map(Node::endpoint).toList();
        for (Node node : nodes) {
            node.start(ids, initial, 0);
        }
        try {
            replicate(nodes, 0, 100);
            Node follower = nodes.stream().filter(n -> !isLeader(n)).findFirst().orElseThrow();
            int port = follower.member.endpoint().localAddress().getPort();
            follower.stop();
            replicate(nodes, 100, 150);
            follower.start(ids, initial, port);
            replicate(nodes, 150, 200);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                expected.add("cmd-" + i);
            }
            for (Node node : nodes) {
                await().atMost(Duration.ofSeconds(30)).until(() -> node.machine.applied.size() == 200);
                assertThat(node.machine.applied).containsExactlyElementsOf(expected);
                assertThat(node.member.endpoint().metrics().authFailures()).isZero();
            }
        } finally {
            for (Node node : nodes) {
                node.stop();
            }
        }
    }

    private static boolean isLeader(Node node) {
        try {
            return node.group.report().get(5, TimeUnit.SECONDS).role() == RaftGroupReport.Role.LEADER;
        } catch (Exception e) {
            return false;
        }
    }

    /** Replicates commands {@code from..to-1} through whichever node is leader, waiting for one. */
    private static void replicate(List<Node> nodes, int from, int to) {
        for (int i = from; i < to; i++) {
            byte[] command = ("cmd-" + i).getBytes(UTF_8);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                Node leader = nodes.stream()
                        .filter(QuicRaftTransportTest::isLeader)
                        .findFirst()
                        .orElseThrow();
                leader.group.replicate(command).get(10, TimeUnit.SECONDS);
                return true;
            });
        }
    }

    @Test
    void forgedAndGarbageMessagesAreRejectedWithoutBreakingTheChannel() throws Exception {
        NodeIdentity honest = NodeIdentity.generate();
        NodeIdentity forger = NodeIdentity.generate();
        NodeIdentity victim = NodeIdentity.generate();
        var received = new CopyOnWriteArrayList<RaftMessage>();
        Member receiver = member(honest, Set.of(forger.nodeId(), victim.nodeId()), received::add, 0);
        QuicEndpoint forgerEndpoint =
                track(QuicEndpoint.start(QuicConfig.builder().build(), forger, KEY, List.of()));

        // A vote request that claims to come from the victim, sent over the forger's authenticated connection.
        RaftMessage forged = new io.microraft.model.impl.DefaultRaftModelFactory()
                .createPreVoteRequestBuilder()
                .setGroupId("g")
                .setSender(new NodeEndpoint(victim.nodeId()))
                .setTerm(5)
                .setLastLogTerm(1)
                .setLastLogIndex(1)
                .build();
        PeerConnection connection = track(
                forgerEndpoint.connect(honest.nodeId(), receiver.endpoint().localAddress(), Protocol.RAFT_ALPN));
        QuicStream stream = connection.openStream();
        Frames.write(stream.getOutputStream(), CODEC.encode(forged));
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.transport().decodeFailures() == 1);
        assertThat(received).isEmpty();

        // Garbage from a member: each bad frame ends its stream; an honest message afterwards still arrives.
        var random = new java.util.Random(5);
        for (int i = 0; i < 10; i++) {
            byte[] garbage = new byte[1 + random.nextInt(300)];
            random.nextBytes(garbage);
            QuicStream bad = connection.openStream();
            Frames.write(bad.getOutputStream(), garbage);
            bad.getOutputStream().close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.transport().decodeFailures() == 11);
        RaftMessage honestMessage = new io.microraft.model.impl.DefaultRaftModelFactory()
                .createPreVoteRequestBuilder()
                .setGroupId("g")
                .setSender(new NodeEndpoint(forger.nodeId()))
                .setTerm(5)
                .setLastLogTerm(1)
                .setLastLogIndex(1)
                .build();
        QuicStream good = connection.openStream();
        Frames.write(good.getOutputStream(), CODEC.encode(honestMessage));
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        assertThat(received.get(0).getSender()).isEqualTo(new NodeEndpoint(forger.nodeId()));
    }

    /** Applies commands to a list; snapshots it as one chunk. */
    private static final class ListMachine implements ReplicatedStateMachine {
        final List<String> applied = new CopyOnWriteArrayList<>();
        private long index;

        @Override
        public Object apply(long commitIndex, byte[] command) {
            if (commitIndex > index) {
                applied.add(new String(command, UTF_8));
                index = commitIndex;
            }
            return applied.size();
        }

        @Override
        public Object query(byte[] query) {
            return applied.size();
        }

        @Override
        public void takeSnapshot(long commitIndex, int maxChunkBytes, Consumer<byte[]> chunks) {
            chunks.accept(String.join("\n", applied).getBytes(UTF_8));
        }

        @Override
        public void installSnapshot(long commitIndex, List<byte[]> chunks) {
            if (commitIndex <= index) {
                return;
            }
            applied.clear();
            String text = new String(chunks.get(0), UTF_8);
            if (!text.isEmpty()) {
                applied.addAll(List.of(text.split("\n")));
            }
            index = commitIndex;
        }

        @Override
        public long appliedIndex() {
            return index;
        }
    }
}
