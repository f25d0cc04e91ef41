package dev.aspen.mesh.cli;

import dev.aspen.mesh.cluster.AdminClient;
import dev.aspen.mesh.cluster.ClusterStatus;
import dev.aspen.mesh.cluster.ClusterStatusJson;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code aspen cluster ...}: membership, leadership, snapshots and the ticket, through the admin
 * protocol. Commands that change the cluster print its status afterwards.
 */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = "Inspect and change the cluster: members, leader, snapshots, ticket.",
        subcommands = {
            ClusterCommand.Status.class,
            ClusterCommand.AddLearner.class,
            ClusterCommand.Promote.class,
            ClusterCommand.Remove.class,
            ClusterCommand.Transfer.class,
            ClusterCommand.Snapshot.class,
            ClusterCommand.Ticket.class
        })
final class ClusterCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(),
                "a subcommand is required: status, add-learner, promote, remove, transfer, snapshot or ticket");
    }

    /** A command whose result is a cluster status: a table, or {@link ClusterStatusJson} with --json. */
    abstract static class StatusCommand extends RemoteCommand.Admin {
        String show(String done, ClusterStatus status) {
            if (cluster.json) {
                return toJson(ClusterStatusJson.toJson(status));
            }
            return (done.isEmpty() ? "" : done + "\n\n") + StatusTable.render(status);
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Show members (leader marked *), roles, health and replication lag.")
    static final class Status extends StatusCommand {
        @Override
        Object perform(AdminClient client) {
            return show("", client.status().join());
        }
    }

    @Command(
            name = "add-learner",
            mixinStandardHelpOptions = true,
            description = "Add NODEID as a learner (a non-voting member that receives the log).")
    static final class AddLearner extends StatusCommand {
        @Parameters(index = "0", paramLabel = "NODEID", converter = NodeIdConverter.class)
        NodeId node;

        @Parameters(
                index = "1..*",
                paramLabel = "ADDR",
                arity = "0..8",
                converter = AddressConverter.class,
                description = "Where its QUIC endpoint listens (HOST:PORT); none: the address discovery knows.")
        List<InetSocketAddress> addresses = new ArrayList<>();

        @Override
        Object perform(AdminClient client) {
            return show(
                    "learner " + node + " added",
                    client.addLearner(node, addresses).join());
        }
    }

    @Command(
            name = "promote",
            mixinStandardHelpOptions = true,
            description = "Promote learner NODEID to voter once it has caught up.")
    static final class Promote extends StatusCommand {
        @Parameters(index = "0", paramLabel = "NODEID", converter = NodeIdConverter.class)
        NodeId node;

        @Override
        Object perform(AdminClient client) {
            return show(node + " promoted to voter", client.promote(node).join());
        }
    }

    @Command(
            name = "remove",
            mixinStandardHelpOptions = true,
            description = "Remove member NODEID (refused if the remaining voters would lose the majority).")
    static final class Remove extends StatusCommand {
        @Parameters(index = "0", paramLabel = "NODEID", converter = NodeIdConverter.class)
        NodeId node;

        @Override
        Object perform(AdminClient client) {
            return show(node + " removed", client.remove(node).join());
        }
    }

    @Command(
            name = "transfer",
            mixinStandardHelpOptions = true,
            description = "Hand leadership to voter NODEID, or to the most caught-up other voter.")
    static final class Transfer extends StatusCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NODEID", converter = NodeIdConverter.class)
        NodeId node;

        @Override
        Object perform(AdminClient client) {
            ClusterStatus status =
                    client.transferLeadership(Optional.ofNullable(node)).join();
            return show(
                    "leadership transferred to "
                            + status.leader().map(NodeId::toString).orElse("(unknown)"),
                    status);
        }
    }

    @Command(
            name = "snapshot",
            mixinStandardHelpOptions = true,
            description = "Take a Raft snapshot on the node talked to (with --data-dir: that node).")
    static final class Snapshot extends RemoteCommand.Admin {
        @Override
        Object perform(AdminClient client) {
            long index = client.snapshot().join();
            String node = client.currentNode().map(NodeId::toString).orElse("the node");
            return render(Map.of("snapshot_index", index), "snapshot taken on " + node + " at index " + index);
        }
    }

    @Command(
            name = "ticket",
            mixinStandardHelpOptions = true,
            description = "Print a ticket naming the cluster's current voters (share it with clients and joiners).")
    static final class Ticket extends RemoteCommand.Admin {
        @Option(
                names = "--join",
                description = "A join ticket: it also carries the join secret, so a new node (or a client) needs no"
                        + " cookie. Secret like the cookie; changing the cookie revokes it.")
        boolean join;

        @Override
        Object perform(AdminClient client) {
            String ticket = (join ? client.joinTicket() : client.ticket()).toString();
            return render(Map.of("ticket", ticket), ticket);
        }
    }

    /** Parses a NodeId argument so a bad one is a usage error naming the problem. */
    static final class NodeIdConverter implements ITypeConverter<NodeId> {
        @Override
        public NodeId convert(String value) {
            try {
                return NodeId.parse(value);
            } catch (FormatException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Parses a HOST:PORT argument so a bad one is a usage error naming the problem. */
    static final class AddressConverter implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            try {
                return SocketAddresses.parse(value);
            } catch (FormatException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
