package dev.aspen.examples;

import static dev.aspen.examples.Examples.bytes;
import static dev.aspen.examples.Examples.join;
import static dev.aspen.examples.Examples.say;
import static dev.aspen.examples.Examples.shortId;
import static dev.aspen.examples.Examples.text;

import dev.aspen.mesh.cluster.ClusterStatus;
import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.mesh.node.AspenNode;
import dev.aspen.tickets.SocketAddresses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Three nodes in one JVM on loopback form a cluster by {@code bootstrapExpect(3)}: each is given
 * the other two's gossip addresses and waits until it sees three nodes, then the three form one Raft
 * group. The example writes through one node, stops the leader, and shows the other two electing a
 * new leader that takes the next write and still has the first.
 *
 * <p>Usage: {@code MultiNodeCluster} (data in a temporary directory, deleted at the end).
 */
public final class MultiNodeCluster {
    private MultiNodeCluster() {}

    public static void main(String[] args) {
        Examples.run(() -> {
            Path dir = Examples.tempDir("multi");
            String cookie = "multi-example-" + UUID.randomUUID();
            List<NodeConfig> configs = Examples.bootstrapping(dir, cookie, 3);
            say("starting 3 nodes on loopback, each expecting 3 nodes to bootstrap");
            List<AspenNode> nodes = new ArrayList<>(Examples.startAll(configs));
            try {
                run(nodes);
            } finally {
                nodes.forEach(AspenNode::close);
            }
            say("all nodes stopped");
            Examples.deleteTree(dir);
        });
    }

    private static void run(List<AspenNode> nodes) throws Exception {
        AspenNode leader = Examples.awaitLeader(nodes, Duration.ofSeconds(30));
        ClusterStatus status = join(leader.admin().status());
        say("cluster formed: %d voters, leader %s (term %d)", status.voters().size(), shortId(leader), status.term());
        for (AspenNode node : nodes) {
            say(
                    "  node %s at %s: %s",
                    shortId(node),
                    SocketAddresses.format(node.quicAddress()),
                    join(node.admin().status()).selfRole());
        }
        AspenNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        long revision = join(follower.kv().put(bytes("city"), bytes("Lisbon"))).revision();
        say(
                "put city = Lisbon through follower %s (it forwards to the leader): revision %d",
                shortId(follower), revision);

        say(
                "stopping the leader %s (a clean stop hands leadership to a caught-up voter first;"
                        + " a crashed leader is replaced by an election after the 2 s election timeout)",
                shortId(leader));
        leader.close();
        nodes.remove(leader);
        AspenNode newLeader = Examples.awaitLeader(nodes, Duration.ofSeconds(30));
        say(
                "new leader: %s (term %d)",
                shortId(newLeader), join(newLeader.admin().status()).term());

        AspenNode other = nodes.stream().filter(n -> n != newLeader).findFirst().orElseThrow();
        long next = join(other.kv().put(bytes("city"), bytes("Porto"))).revision();
        say("put city = Porto with 2 of 3 voters running: revision %d", next);
        String city =
                text(join(newLeader.kv().get(bytes("city"))).kv().orElseThrow().value());
        say("get city on the new leader -> %s", city);
    }
}
