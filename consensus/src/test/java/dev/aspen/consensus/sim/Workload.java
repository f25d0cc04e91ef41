package dev.aspen.consensus.sim;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Clients of a simulated cluster: at random intervals, up to a bounded number of commands, each
 * with a new id, sent to the node believed to be leader (or a random running node). Remembers
 * every acknowledged command and its commit index.
 */
public final class Workload {
    private final SimCluster cluster;
    private final int maxCommands;
    private final int minIntervalMillis;
    private final int maxIntervalMillis;
    private final Map<Long, Long> acked = new LinkedHashMap<>();
    private int issued;
    private boolean stopped;

    /** A workload of at most {@code maxCommands}, one every {@code min..max} ms. */
    public Workload(SimCluster cluster, int maxCommands, int minIntervalMillis, int maxIntervalMillis) {
        this.cluster = cluster;
        this.maxCommands = maxCommands;
        this.minIntervalMillis = minIntervalMillis;
        this.maxIntervalMillis = maxIntervalMillis;
    }

    /** Starts issuing commands. */
    public void start() {
        scheduleNext();
    }

    /** Stops issuing new commands (outstanding ones may still complete). */
    public void stop() {
        stopped = true;
    }

    /** Acknowledged command ids → their commit index. */
    public Map<Long, Long> acked() {
        return Map.copyOf(acked);
    }

    /** Commands issued so far. */
    public int issued() {
        return issued;
    }

    private void scheduleNext() {
        long delay = minIntervalMillis + cluster.random().nextInt(maxIntervalMillis - minIntervalMillis + 1);
        cluster.scheduler().after(delay * 1_000_000, this::issue);
    }

    private void issue() {
        if (stopped || issued >= maxCommands) {
            return;
        }
        Optional<RaftGroup> target = target();
        if (target.isPresent()) {
            issued++;
            long id = cluster.nextCommandId();
            target.get().replicate(RecordingStateMachine.command(id, 8)).whenComplete((result, failure) -> {
                if (failure != null) {
                    return;
                }
                if (!Long.valueOf(id).equals(result.value())) {
                    cluster.history().violation("command " + id + " acknowledged with result " + result.value());
                }
                acked.put(id, result.index());
            });
        }
        scheduleNext();
    }

    private Optional<RaftGroup> target() {
        Optional<NodeEndpoint> leader = cluster.leader();
        if (leader.isPresent() && cluster.random().nextInt(10) > 0) {
            return Optional.of(cluster.node(leader.get()).group());
        }
        List<SimCluster.Node> up = cluster.upNodes();
        if (up.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(up.get(cluster.random().nextInt(up.size())).group());
    }
}
