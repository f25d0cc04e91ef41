package dev.aspen.examples;

import static dev.aspen.examples.Examples.bytes;
import static dev.aspen.examples.Examples.join;
import static dev.aspen.examples.Examples.say;
import static dev.aspen.examples.Examples.shortId;
import static dev.aspen.examples.Examples.text;

import dev.aspen.mesh.cluster.ClusterStatus;
import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.mesh.node.AspenNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Nodes that know nothing of each other but a shared cookie find each other with the LAN beacon
 * (UDP multicast on the bind address's interface, signed with the cluster key) and form a cluster.
 * Here all three run on loopback, where multicast works too; on a real LAN each machine runs {@code
 * bin/aspen node --bind <its LAN address> --cookie <secret> --bootstrap-expect 3} (see {@code
 * examples/README.md}).
 *
 * <p>Usage: {@code ZeroConfigLan [COOKIE]} (default: a random cookie, so other clusters on the
 * machine are not joined; data in a temporary directory, deleted at the end).
 */
public final class ZeroConfigLan {
    private static final int NODES = 3;

    private ZeroConfigLan() {}

    public static void main(String[] args) {
        Examples.run(() -> {
            String cookie = args.length > 0 ? args[0] : "lan-example-" + UUID.randomUUID();
            Path dir = Examples.tempDir("lan");
            List<NodeConfig> configs = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                // No peers, no ticket, no ports: only the cookie, the beacon and the expected count.
                configs.add(NodeConfig.builder(dir.resolve("node-" + i))
                        .cookie(cookie)
                        .lan(true)
                        .bootstrapExpect(NODES)
                        .build());
            }
            say("starting %d nodes that share only a cookie; the LAN beacon is their only way to meet", NODES);
            List<AspenNode> nodes = Examples.startAll(configs);
            try {
                AspenNode leader = Examples.awaitLeader(nodes, Duration.ofSeconds(30));
                ClusterStatus status = join(leader.admin().status());
                say(
                        "they found each other and formed cluster %s with %d voters:",
                        status.clusterId(), status.voters().size());
                for (AspenNode node : nodes) {
                    say(
                            "  node %s: %s",
                            shortId(node), join(node.admin().status()).selfRole());
                }
                AspenNode first = nodes.get(0);
                AspenNode last = nodes.get(NODES - 1);
                join(first.kv().put(bytes("found-by"), bytes("beacon")));
                say("put found-by = beacon on node %s", shortId(first));
                say(
                        "get found-by on node %s -> %s",
                        shortId(last),
                        text(join(last.kv().get(bytes("found-by")))
                                .kv()
                                .orElseThrow()
                                .value()));
            } finally {
                nodes.forEach(AspenNode::close);
            }
            say("all nodes stopped");
            Examples.deleteTree(dir);
        });
    }
}
