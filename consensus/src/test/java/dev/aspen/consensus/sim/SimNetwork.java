package dev.aspen.consensus.sim;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftTransport;
import io.microraft.model.message.RaftMessage;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;

/**
 * A seeded in-memory network. Each message gets a random delay in [{@code minDelayMillis}, {@code
 * maxDelayMillis}] (so messages reorder), is dropped with {@code dropRate} and duplicated with
 * {@code duplicateRate}. Partitions split nodes into sides; a message crossing sides is dropped at
 * send time and again at delivery time. All randomness comes from the given {@link Random}, so a
 * seed fixes every decision.
 */
public final class SimNetwork {
    private final SimScheduler scheduler;
    private final Random random;
    private final BiConsumer<NodeEndpoint, RaftMessage> deliver;
    private final Map<NodeEndpoint, Integer> side = new HashMap<>();
    private final Map<NodeEndpoint, Boolean> up = new HashMap<>();
    private long minDelayMillis = 1;
    private long maxDelayMillis = 5;
    private double dropRate;
    private double duplicateRate;
    private java.util.function.UnaryOperator<RaftMessage> transform = message -> message;
    private long sent;
    private long delivered;

    /**
     * A network on {@code scheduler} drawing from {@code random}; {@code deliver} hands a message to
     * the current incarnation of a node.
     */
    public SimNetwork(SimScheduler scheduler, Random random, BiConsumer<NodeEndpoint, RaftMessage> deliver) {
        this.scheduler = scheduler;
        this.random = random;
        this.deliver = deliver;
    }

    /** Sets the delay range and the drop and duplicate probabilities. */
    public void configure(long minDelayMillis, long maxDelayMillis, double dropRate, double duplicateRate) {
        if (minDelayMillis < 0 || maxDelayMillis < minDelayMillis) {
            throw new IllegalArgumentException("bad delay range " + minDelayMillis + ".." + maxDelayMillis);
        }
        this.minDelayMillis = minDelayMillis;
        this.maxDelayMillis = maxDelayMillis;
        this.dropRate = dropRate;
        this.duplicateRate = duplicateRate;
    }

    /**
     * Applies {@code value} to every message before delivery, for example a codec's encode/decode
     * round trip so simulated runs also exercise serialization. Default: identity.
     */
    public void transform(java.util.function.UnaryOperator<RaftMessage> value) {
        transform = value;
    }

    /** Marks {@code node} as running (true) or crashed (false); a crashed node receives nothing. */
    public void setUp(NodeEndpoint node, boolean isUp) {
        up.put(node, isUp);
    }

    /** Splits the nodes: each array is one side; nodes not listed form side 0 with each other. */
    public void partition(NodeEndpoint[]... sides) {
        side.clear();
        for (int i = 0; i < sides.length; i++) {
            for (NodeEndpoint node : sides[i]) {
                side.put(node, i + 1);
            }
        }
    }

    /** Removes every partition. */
    public void heal() {
        side.clear();
    }

    /** Whether {@code a} and {@code b} can talk now. */
    public boolean connected(NodeEndpoint a, NodeEndpoint b) {
        return side.getOrDefault(a, 0).equals(side.getOrDefault(b, 0));
    }

    /** Messages sent and delivered so far. */
    public long sent() {
        return sent;
    }

    /** Messages delivered so far. */
    public long delivered() {
        return delivered;
    }

    /** The transport of node {@code from}. */
    public RaftTransport transportFor(NodeEndpoint from) {
        return new RaftTransport() {
            @Override
            public void send(NodeEndpoint target, RaftMessage message) {
                SimNetwork.this.send(from, target, message);
            }

            @Override
            public boolean isReachable(NodeEndpoint endpoint) {
                return connected(from, endpoint) && up.getOrDefault(endpoint, false);
            }
        };
    }

    private void send(NodeEndpoint from, NodeEndpoint to, RaftMessage message) {
        sent++;
        if (!connected(from, to) || random.nextDouble() < dropRate) {
            return;
        }
        int copies = random.nextDouble() < duplicateRate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = minDelayMillis + (long) (random.nextDouble() * (maxDelayMillis - minDelayMillis));
            long jitterNanos = random.nextInt(1_000_000);
            scheduler.after(delay * 1_000_000 + jitterNanos, () -> {
                if (connected(from, to) && up.getOrDefault(to, false)) {
                    delivered++;
                    deliver.accept(to, transform.apply(message));
                }
            });
        }
    }
}
