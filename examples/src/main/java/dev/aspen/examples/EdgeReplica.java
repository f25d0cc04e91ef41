package dev.aspen.examples;

import static dev.aspen.examples.Examples.bytes;
import static dev.aspen.examples.Examples.join;
import static dev.aspen.examples.Examples.say;
import static dev.aspen.examples.Examples.shortId;
import static dev.aspen.examples.Examples.text;

import dev.aspen.kv.GetResponse;
import dev.aspen.kv.KvException;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.mesh.cluster.ClusterStatus;
import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.mesh.node.AspenNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

/**
 * An edge node: a learner (a non-voting member) far from a three-voter core. It receives every
 * committed write and serves {@code stale} reads from its own copy, without a round trip to the
 * core, while the core keeps quorum on its own; the autopilot never promotes it, because the core
 * already has its target of 3 voters. Then the edge's link drops: every QUIC link between the edge
 * and the core nodes is cut both ways with the nodes' fault switch ({@code faultInjection}, for
 * tests and demonstrations only), while both keep running. The core keeps taking writes; the edge
 * still answers stale reads from what it has, but cannot reach the core for anything else. When
 * the link comes back the edge catches up with what it missed.
 *
 * <p>Usage: {@code EdgeReplica} (data in a temporary directory, deleted at the end).
 */
public final class EdgeReplica {
    private static final byte[] KEY = bytes("price");

    private EdgeReplica() {}

    public static void main(String[] args) {
        Examples.run(() -> {
            Path dir = Examples.tempDir("edge");
            String cookie = "edge-example-" + UUID.randomUUID();
            say("starting a core of 3 voters on loopback");
            List<AspenNode> core =
                    Examples.startAll(Examples.bootstrapping(dir, cookie, 3, node -> node.faultInjection(true)));
            try {
                AspenNode leader = Examples.awaitLeader(core, Duration.ofSeconds(30));
                say("core formed, leader %s", shortId(leader));
                NodeConfig edgeConfig = Examples.localNode(dir.resolve("edge"), cookie)
                        .ticket(leader.ticket())
                        .faultInjection(true)
                        .build();
                try (AspenNode edge = AspenNode.start(edgeConfig)) {
                    run(core, leader, edge);
                }
            } finally {
                core.forEach(AspenNode::close);
            }
            say("all nodes stopped");
            Examples.deleteTree(dir);
        });
    }

    private static void run(List<AspenNode> core, AspenNode leader, AspenNode edge) throws Exception {
        Examples.await("the edge to be a learner", Duration.ofSeconds(60), () -> isLearner(leader, edge));
        ClusterStatus status = join(leader.admin().status());
        say(
                "edge %s joined as a learner; the core keeps its %d voters and the autopilot does not promote it",
                shortId(edge), status.voters().size());
        long first = join(leader.kv().put(KEY, bytes("10"))).revision();
        say("core: put price = 10 (revision %d)", first);
        awaitStale(edge, first);
        say("edge: stale read price -> %s (served from the edge's own copy)", staleRead(edge));
        say(
                "edge: a linearizable read goes to the core's leader -> %s",
                text(join(edge.kv().get(KEY)).kv().orElseThrow().value()));

        say("the edge link drops: every QUIC link between the edge and the core is cut, both ways");
        AspenNode.partition(List.of(edge), core);
        join(leader.kv().put(KEY, bytes("11")));
        long last = join(leader.kv().put(KEY, bytes("12"))).revision();
        say("core: still has quorum without the edge: put price = 11, then 12 (revision %d)", last);
        say("edge: cut off, its local copy still answers at once: price -> %s", staleRead(edge));
        say("edge: a linearizable read needs the core: %s", linearizableRead(edge));

        say("the edge link comes back");
        AspenNode.heal(List.of(edge), core);
        awaitStale(edge, last);
        say("edge: caught up: stale read price -> %s (revision %d reached)", staleRead(edge), last);
        say("edge is still a learner: %s", isLearner(leader, edge));
    }

    private static boolean isLearner(AspenNode leader, AspenNode edge) throws Exception {
        return join(leader.admin().status()).members().stream()
                .anyMatch(member -> member.nodeId().equals(edge.nodeId()) && !member.voter());
    }

    /** A read from the edge's local state: no leader, no quorum, possibly behind. */
    private static String staleRead(AspenNode edge) throws Exception {
        GetResponse got = join(edge.kv().get(KEY, ReadConsistency.stale()));
        return got.kv().map(kv -> text(kv.value())).orElse("(not there yet)") + " at revision " + got.revision();
    }

    /** A linearizable read through the edge, which forwards it to the leader; or why it failed. */
    private static String linearizableRead(AspenNode edge) throws Exception {
        try {
            return "price -> "
                    + text(join(edge.kv().get(KEY)).kv().orElseThrow().value());
        } catch (ExecutionException e) {
            return e.getCause() instanceof KvException kv
                    ? "fails with " + kv.code().wireName()
                    : "fails: " + e.getCause();
        }
    }

    /** Waits until the edge has applied {@code revision}; a stale read with a minimum fails until then. */
    private static void awaitStale(AspenNode edge, long revision) throws InterruptedException {
        Examples.await("the edge to reach revision " + revision, Duration.ofSeconds(60), () -> join(edge.kv()
                        .get(KEY, ReadConsistency.stale(revision)))
                .kv()
                .isPresent());
    }
}
