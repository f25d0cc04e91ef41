package dev.aspen.mesh.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.aspen.consensus.NewTermOperation;
import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.codec.RaftCodec;
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
import io.microraft.RaftConfig;
import io.microraft.RaftEndpoint;
import io.microraft.RaftNode;
import io.microraft.RaftRole;
import io.microraft.model.message.RaftMessage;
import io.microraft.statemachine.StateMachine;
import io.microraft.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tech.kwik.core.QuicStream;

/** A real three-node MicroRaft group whose every message crosses authenticated QUIC on loopback. */
class QuicRaftTransportTest {
    private static final ClusterKey KEY = Cookie.of("raft-over-quic").clusterKey();
    private static final RaftCodec CODEC = new RaftCodec();

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<RaftNode> nodes = new ArrayList<>();
    private final Map<NodeId, InetSocketAddress> addressBook = new ConcurrentHashMap<>();

    @AfterEach
    void stop() throws Exception {
        for (RaftNode node : nodes) {
            node.terminate().get(10, TimeUnit.SECONDS);
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private record Member(NodeIdentity identity, QuicRaftTransport transport, QuicEndpoint endpoint, Log log) {}

    private Member member(NodeIdentity identity, Set<NodeId> members, Consumer<RaftMessage> sink) throws Exception {
        var transport = track(new QuicRaftTransport(
                identity.nodeId(),
                CODEC,
                id -> List.of(addressBook.get(id)),
                OutboundChannel.Settings.defaults(),
                Frames.DEFAULT_MAX_FRAME_BYTES));
        QuicEndpoint endpoint = track(QuicEndpoint.start(
                QuicConfig.builder().build(), identity, KEY, List.of(transport.protocol(members::contains, sink))));
        transport.attach(endpoint);
        addressBook.put(identity.nodeId(), endpoint.localAddress());
        return new Member(identity, transport, endpoint, new Log());
    }

    @Test
    void threeNodeGroupCommitsOverQuic() throws Exception {
        List<NodeIdentity> identities =
                List.of(NodeIdentity.generate(), NodeIdentity.generate(), NodeIdentity.generate());
        Set<NodeId> ids = identities.stream().map(NodeIdentity::nodeId).collect(Collectors.toSet());
        List<RaftEndpoint> endpoints = identities.stream()
                .map(i -> (RaftEndpoint) new NodeEndpoint(i.nodeId()))
                .toList();
        var raftNodes = new ConcurrentHashMap<NodeId, RaftNode>();
        var members = new ArrayList<Member>();
        for (NodeIdentity identity : identities) {
            Member member = member(
                    identity, ids, message -> raftNodes.get(identity.nodeId()).handle(message));
            members.add(member);
        }
        for (Member member : members) {
            RaftNode node = RaftNode.newBuilder()
                    .setGroupId("quic-test")
                    .setLocalEndpoint(new NodeEndpoint(member.identity().nodeId()))
                    .setInitialGroupMembers(endpoints)
                    .setConfig(RaftConfig.newBuilder()
                            .setLeaderHeartbeatPeriodSecs(1)
                            .setLeaderHeartbeatTimeoutSecs(2)
                            .build())
                    .setTransport(new Adapter(member.transport()))
                    .setStateMachine(member.log())
                    .build();
            raftNodes.put(member.identity().nodeId(), node);
            nodes.add(node);
        }
        nodes.forEach(RaftNode::start);

        RaftNode leader = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> nodes.stream()
                                .filter(n -> n.getTerm().getLeaderEndpoint() != null
                                        && n.getLocalEndpoint()
                                                .equals(n.getTerm().getLeaderEndpoint()))
                                .findFirst()
                                .orElse(null),
                        n -> n != null);
        assertThat(leader.getReport().get(5, TimeUnit.SECONDS).getResult().getRole())
                .isEqualTo(RaftRole.LEADER);
        for (int i = 0; i < 200; i++) {
            leader.replicate(("cmd-" + i).getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            expected.add("cmd-" + i);
        }
        for (Member member : members) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> member.log().applied.size() == 200);
            assertThat(member.log().applied).containsExactlyElementsOf(expected);
            assertThat(member.endpoint().metrics().authFailures()).isZero();
        }
    }

    @Test
    void messageClaimingAnotherSenderIsRejected() throws Exception {
        NodeIdentity honest = NodeIdentity.generate();
        NodeIdentity forger = NodeIdentity.generate();
        NodeIdentity victim = NodeIdentity.generate();
        var received = new CopyOnWriteArrayList<RaftMessage>();
        Member receiver = member(honest, Set.of(forger.nodeId(), victim.nodeId()), received::add);
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
    }

    /** MicroRaft's transport interface over ours. */
    private record Adapter(QuicRaftTransport transport) implements Transport {
        @Override
        public void send(RaftEndpoint target, RaftMessage message) {
            transport.send((NodeEndpoint) target, message);
        }

        @Override
        public boolean isReachable(RaftEndpoint endpoint) {
            return transport.isReachable((NodeEndpoint) endpoint);
        }
    }

    /** Records applied commands in order. */
    private static final class Log implements StateMachine {
        final List<String> applied = new CopyOnWriteArrayList<>();

        @Override
        public Object runOperation(long commitIndex, Object operation) {
            if (operation instanceof byte[] command) {
                applied.add(new String(command, UTF_8));
            }
            return null;
        }

        @Override
        public void takeSnapshot(long commitIndex, Consumer<Object> chunks) {
            chunks.accept(String.join("\n", applied).getBytes(UTF_8));
        }

        @Override
        public void installSnapshot(long commitIndex, List<Object> chunks) {
            applied.clear();
            String text = new String((byte[]) chunks.get(0), UTF_8);
            if (!text.isEmpty()) {
                applied.addAll(List.of(text.split("\n")));
            }
        }

        @Override
        public Object getNewTermOperation() {
            return NewTermOperation.INSTANCE;
        }
    }
}
