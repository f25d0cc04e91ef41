package dev.aspen.tests.chaos;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Injects process-level faults into a {@link NodeCluster}, one at a time, each healed before the
 * next: the cluster is back to every node healthy when {@link #inject} returns.
 */
final class Nemesis {
    /** The faults. Pauses last longer than the 2 s election timeout, so the others elect a new leader. */
    enum Fault {
        /** {@code kill -9} of a random node, restarted 1–3 s later. */
        KILL_RANDOM,
        /** {@code kill -9} of the leader, restarted 1–3 s later. */
        KILL_LEADER,
        /** {@code SIGSTOP} of a random node for 3–5 s, then {@code SIGCONT}. */
        PAUSE_RANDOM,
        /** {@code SIGSTOP} of the leader for 3–5 s, then {@code SIGCONT}: it wakes up deposed. */
        PAUSE_LEADER,
        /** {@code kill -9} of every node at once, all restarted 1 s later. */
        CRASH_ALL
    }

    private final NodeCluster cluster;
    private final Random random;
    private final History history;
    private final List<String> log = new ArrayList<>();

    Nemesis(NodeCluster cluster, Random random, History history) {
        this.cluster = cluster;
        this.random = random;
        this.history = history;
    }

    /** One line per fault: when (ms since the run started), what, and on which node. */
    List<String> log() {
        return List.copyOf(log);
    }

    void inject(Fault fault) throws IOException, InterruptedException {
        switch (fault) {
            case KILL_RANDOM, KILL_LEADER -> {
                int node = target(fault == Fault.KILL_LEADER);
                note(fault, "node " + node);
                cluster.kill(node);
                hold(Duration.ofMillis(1000 + random.nextInt(2000)));
                cluster.restart(node);
            }
            case PAUSE_RANDOM, PAUSE_LEADER -> {
                int node = target(fault == Fault.PAUSE_LEADER);
                note(fault, "node " + node);
                cluster.pause(node);
                hold(Duration.ofMillis(3000 + random.nextInt(2000)));
                cluster.resume(node);
            }
            case CRASH_ALL -> {
                note(fault, "every node");
                for (int i = 0; i < cluster.size(); i++) {
                    cluster.kill(i);
                }
                hold(Duration.ofSeconds(1));
                for (int i = 0; i < cluster.size(); i++) {
                    cluster.restart(i);
                }
            }
        }
        cluster.awaitAllHealthy();
    }

    /** The leader (when asked for and known), else a random node. */
    private int target(boolean leader) {
        if (leader) {
            var known = cluster.leader();
            if (known.isPresent()) {
                return known.getAsInt();
            }
        }
        return random.nextInt(cluster.size());
    }

    private void note(Fault fault, String target) {
        log.add(String.format("%8d ms  %-12s %s", history.now() / 1_000_000, fault, target));
    }

    /**
     * Keeps a fault in place: its length is the point of the fault, not a wait for a condition, so
     * this is a plain timed sleep.
     */
    static void hold(Duration duration) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(duration.toMillis());
    }
}
