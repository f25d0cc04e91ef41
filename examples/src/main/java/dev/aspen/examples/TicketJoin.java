package dev.aspen.examples;

import static dev.aspen.examples.Examples.bytes;
import static dev.aspen.examples.Examples.join;
import static dev.aspen.examples.Examples.say;
import static dev.aspen.examples.Examples.shortId;
import static dev.aspen.examples.Examples.text;

import dev.aspen.mesh.cluster.ClusterStatus;
import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.mesh.node.AspenNode;
import dev.aspen.mesh.node.NodeFiles;
import dev.aspen.tickets.ClusterTicket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * Growing a cluster with a join ticket. A one-node cluster prints its ticket (which cluster, and
 * where its voters are) and its join ticket (the same, plus a join secret derived from the cluster
 * key). A new node is started with nothing but the join ticket: no cookie anywhere. It proves the
 * join secret to a node of the ticket, fetches the cluster key (checking that it derives exactly
 * the ticket's secret), keeps it in its data directory, joins as a learner, catches up, and the
 * autopilot on the leader promotes it to voter because the cluster has fewer voters than its
 * target of 3.
 *
 * <p>Usage: {@code TicketJoin} (data in a temporary directory, deleted at the end).
 */
public final class TicketJoin {
    private TicketJoin() {}

    public static void main(String[] args) {
        Examples.run(() -> {
            Path dir = Examples.tempDir("ticket");
            String cookie = "ticket-example-" + UUID.randomUUID();
            try (AspenNode first = AspenNode.start(
                    Examples.localNode(dir.resolve("first"), cookie).build())) {
                say("first node %s leads a one-node cluster (autopilot target: 3 voters)", shortId(first));
                join(first.kv().put(bytes("greeting"), bytes("hello from before the join")));
                say("put greeting on the first node");
                say("ticket: %s", first.ticket());
                ClusterTicket joinTicket = first.admin().joinTicket();
                say("join ticket: %s", joinTicket);

                Path joinerDir = dir.resolve("joiner");
                NodeConfig joinerConfig = NodeConfig.builder(joinerDir)
                        .ticket(ClusterTicket.parse(joinTicket.toString()))
                        .lan(false)
                        .build();
                try (AspenNode joiner = AspenNode.start(joinerConfig)) {
                    say("new node %s started with only the join ticket (no cookie)", shortId(joiner));
                    say(
                            "it fetched the cluster key with the ticket's join secret: %s %s, %s %s",
                            NodeFiles.CLUSTER_KEY_FILE,
                            Files.exists(joinerDir.resolve(NodeFiles.CLUSTER_KEY_FILE)) ? "stored" : "missing",
                            NodeFiles.COOKIE_FILE,
                            Files.exists(joinerDir.resolve(NodeFiles.COOKIE_FILE)) ? "present" : "absent");
                    watchItJoin(first, joiner);
                    String value = text(join(joiner.kv().get(bytes("greeting")))
                            .kv()
                            .orElseThrow()
                            .value());
                    say("get greeting on the new node -> %s", value);
                }
            }
            say("both nodes stopped");
            Examples.deleteTree(dir);
        });
    }

    private static void watchItJoin(AspenNode first, AspenNode joiner) throws Exception {
        Examples.await(
                "the new node to be added",
                Duration.ofSeconds(60),
                () -> join(first.admin().status()).members().stream()
                        .anyMatch(member -> member.nodeId().equals(joiner.nodeId())));
        say("added: %s is a member (it asked the leader to add it as a learner)", shortId(joiner));
        Examples.await(
                "the new node to be promoted",
                Duration.ofSeconds(60),
                () -> join(first.admin().status()).voters().stream()
                        .anyMatch(member -> member.nodeId().equals(joiner.nodeId())));
        ClusterStatus status = join(first.admin().status());
        say(
                "promoted: %s is now a voter; the cluster has %d voters",
                shortId(joiner), status.voters().size());
        status.autopilot().decisions().stream()
                .filter(decision -> decision.node().equals(joiner.nodeId()))
                .forEach(decision -> say(
                        "autopilot decision: %s %s because %s -> %s",
                        decision.action(), shortId(joiner), decision.reason(), decision.outcome()));
    }
}
