package dev.aspen.mesh.transport;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftTransport;
import dev.aspen.consensus.codec.CodecException;
import dev.aspen.consensus.codec.RaftCodec;
import dev.aspen.mesh.quic.FrameException;
import dev.aspen.mesh.quic.Frames;
import dev.aspen.mesh.quic.OutboundChannel;
import dev.aspen.mesh.quic.Protocol;
import dev.aspen.mesh.quic.QuicEndpoint;
import dev.aspen.tickets.NodeId;
import io.microraft.model.message.RaftMessage;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raft messages over QUIC: one {@link OutboundChannel} per peer (ordered, batched, bounded,
 * reconnecting) on ALPN {@value Protocol#RAFT_ALPN}, Kryo-encoded with {@link RaftCodec}.
 *
 * <p>{@link #send} never blocks: it encodes on the caller's thread (the Raft thread) and queues.
 * Inbound messages are decoded on the connection's stream thread and handed to the sink, which
 * must not block either. Only dialers the {@code members} predicate admits may send Raft traffic.
 */
public final class QuicRaftTransport implements RaftTransport, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QuicRaftTransport.class);

    private final NodeId self;
    private final RaftCodec codec;
    private final Function<NodeId, List<InetSocketAddress>> addresses;
    private final OutboundChannel.Settings settings;
    private final int maxFrameBytes;
    private final Map<NodeId, OutboundChannel> channels = new ConcurrentHashMap<>();
    private final LongAdder encodeFailures = new LongAdder();
    private final LongAdder decodeFailures = new LongAdder();
    private volatile QuicEndpoint endpoint;
    private volatile boolean closed;

    /**
     * @param self this node (messages to it are refused: Raft never sends to itself)
     * @param addresses where each peer can be reached, asked again before every connection attempt
     */
    public QuicRaftTransport(
            NodeId self,
            RaftCodec codec,
            Function<NodeId, List<InetSocketAddress>> addresses,
            OutboundChannel.Settings settings,
            int maxFrameBytes) {
        this.self = self;
        this.codec = codec;
        this.addresses = addresses;
        this.settings = settings;
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * The inbound protocol to register on the node's endpoint.
     *
     * @param members which proven NodeIds may send Raft messages
     * @param sink receives every decoded message; must not block
     */
    public Protocol protocol(Predicate<NodeId> members, Consumer<RaftMessage> sink) {
        return new Protocol(Protocol.RAFT_ALPN, members, (peer, stream) -> {
            byte[] frame;
            while ((frame = Frames.read(stream.getInputStream(), maxFrameBytes)) != null) {
                if (frame.length > 0) {
                    sink.accept(decode(peer, frame));
                }
            }
        });
    }

    /** Sets the endpoint outbound channels dial from; call once, before the first {@link #send}. */
    public void attach(QuicEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Encodes and queues {@code message} for {@code target}. Never blocks; never throws for I/O. */
    @Override
    public void send(NodeEndpoint target, RaftMessage message) {
        NodeId peer = target.nodeId();
        if (closed || peer.equals(self) || endpoint == null) {
            return;
        }
        byte[] bytes;
        try {
            bytes = codec.encode(message);
        } catch (CodecException e) {
            encodeFailures.increment();
            log.error("cannot encode {} for {}: {}", message.getClass().getSimpleName(), peer, e.getMessage());
            return;
        }
        if (bytes.length > maxFrameBytes) {
            encodeFailures.increment();
            log.error(
                    "{} for {} is {} bytes, over the {} byte frame limit",
                    message.getClass().getSimpleName(),
                    peer,
                    bytes.length,
                    maxFrameBytes);
            return;
        }
        channel(peer).offer(bytes);
    }

    /** False when the last attempt to reach {@code target} failed. */
    @Override
    public boolean isReachable(NodeEndpoint target) {
        OutboundChannel channel = channels.get(target.nodeId());
        return channel == null || channel.isReachable();
    }

    private OutboundChannel channel(NodeId peer) {
        return channels.computeIfAbsent(
                peer, p -> new OutboundChannel(endpoint, p, () -> addresses.apply(p), Protocol.RAFT_ALPN, settings));
    }

    private RaftMessage decode(NodeId peer, byte[] frame) throws FrameException {
        try {
            Object value = codec.decode(frame);
            if (value instanceof RaftMessage message
                    && message.getSender() instanceof NodeEndpoint sender
                    && sender.nodeId().equals(peer)) {
                return message;
            }
            throw new CodecException("not a Raft message sent by the authenticated peer " + peer);
        } catch (CodecException e) {
            decodeFailures.increment();
            throw new FrameException("bad Raft message from " + peer + ": " + e.getMessage());
        }
    }

    /** Messages this node could not encode or send because they exceeded a limit. */
    public long encodeFailures() {
        return encodeFailures.sum();
    }

    /** Inbound frames that were not valid Raft messages from their authenticated sender. */
    public long decodeFailures() {
        return decodeFailures.sum();
    }

    /** Messages dropped by full queues or failed writes, over all peers. */
    public long dropped() {
        return channels.values().stream().mapToLong(OutboundChannel::dropped).sum();
    }

    /** Closes every outbound channel. Idempotent. */
    @Override
    public void close() {
        closed = true;
        channels.values().forEach(OutboundChannel::close);
    }
}
