package dev.aspen.mesh.cli;

import dev.aspen.mesh.client.AspenClient;
import dev.aspen.mesh.cluster.AdminClient;
import dev.aspen.mesh.node.NodeFiles;
import dev.aspen.mesh.rpc.PeerConnector;
import dev.aspen.mesh.rpc.RpcClient;
import dev.aspen.tickets.ClusterCredentials;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import dev.aspen.tickets.TicketPeer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The options every command that talks to a cluster shares (a picocli mixin): where the cluster is,
 * the cookie that admits this client, and {@code --json}.
 *
 * <p>Where: {@code --ticket} (or ASPEN_TICKET) tries the ticket's nodes in turn (a join ticket
 * admits the client without {@code --cookie}); {@code --node} talks to one node; {@code --data-dir}
 * (or ASPEN_DATA_DIR, default {@code aspen-data}) talks to the node running from that directory
 * first, then the others its ticket names, and reads the cookie (or the cluster key of a node that
 * joined with a join ticket) there unless {@code --cookie} is given.
 */
final class ClusterOptions {
    private static final String DEFAULT_DATA_DIR = "aspen-data";

    @ArgGroup(exclusive = true, heading = "Where the cluster is (one of):%n")
    Source source = new Source();

    @Option(names = "--cookie", defaultValue = "${env:ASPEN_COOKIE}", description = "Cluster secret (or ASPEN_COOKIE).")
    String cookie;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    static final class Source {
        @Option(
                names = "--ticket",
                paramLabel = "TICKET",
                description = "A cluster ticket (or ASPEN_TICKET); needs --cookie unless it is a join ticket.")
        String ticket;

        @Option(
                names = "--node",
                paramLabel = "NODEID@HOST:PORT",
                converter = TicketCommand.PeerConverter.class,
                description = "One node to talk to (needs --cookie).")
        TicketPeer node;

        @Option(
                names = "--data-dir",
                paramLabel = "DIR",
                description = "A local node's data dir (or ASPEN_DATA_DIR; default " + DEFAULT_DATA_DIR
                        + "): its address, ticket and cookie are read there.")
        Path dataDir;
    }

    /** The nodes to try, in order, and the key that admits this client to them. */
    record Target(List<TicketPeer> peers, ClusterKey clusterKey) {}

    /** A key/value client to the chosen cluster; blocks while connecting. */
    AspenClient kvClient() throws IOException {
        Target target = target();
        return AspenClient.connect(target.peers(), target.clusterKey(), RpcClient.Settings.defaults());
    }

    /** An admin client to the chosen cluster; blocks while connecting. */
    AdminClient adminClient() throws IOException {
        Target target = target();
        return AdminClient.connect(target.peers(), target.clusterKey(), AdminClient.defaultSettings());
    }

    /**
     * Resolves the options.
     *
     * @throws FormatException for a missing cookie, a cookie of another cluster, a bad ticket or
     *     unreadable node files
     */
    Target target() throws IOException {
        if (source.node != null) {
            return new Target(
                    List.of(source.node), Cookie.of(requireCookie("--node")).clusterKey());
        }
        String ticket = source.ticket != null || source.dataDir != null ? source.ticket : System.getenv("ASPEN_TICKET");
        if (ticket != null && !ticket.isBlank()) {
            ClusterTicket parsed = ClusterTicket.parse(ticket.strip());
            return new Target(parsed.peers(), PeerConnector.clientKey(parsed, Optional.ofNullable(cookie)));
        }
        return fromDataDir(dataDir());
    }

    private Path dataDir() {
        if (source.dataDir != null) {
            return source.dataDir;
        }
        String env = System.getenv("ASPEN_DATA_DIR");
        return Path.of(env == null || env.isBlank() ? DEFAULT_DATA_DIR : env);
    }

    private Target fromDataDir(Path dir) throws IOException {
        NodeFiles.NodeInfo info = NodeFiles.readNodeInfo(dir);
        Path nodeFile = dir.resolve(NodeFiles.NODE_FILE);
        TicketPeer self;
        ClusterTicket ticket;
        try {
            self = new TicketPeer(NodeId.parse(info.nodeId()), List.of(SocketAddresses.parse(info.quicAddress())));
            ticket = ClusterTicket.parse(info.ticket());
        } catch (FormatException e) {
            throw new FormatException(nodeFile + ": " + e.getMessage());
        }
        var peers = new ArrayList<TicketPeer>(List.of(self));
        ticket.peers().stream().filter(p -> !p.nodeId().equals(self.nodeId())).forEach(peers::add);
        if (cookie != null) {
            return new Target(peers, PeerConnector.clusterKey(ticket, cookie));
        }
        ClusterCredentials stored = NodeFiles.storedCredentials(dir)
                .orElseThrow(() -> new FormatException("no --cookie given and " + dir + " has neither "
                        + NodeFiles.COOKIE_FILE + " nor " + NodeFiles.CLUSTER_KEY_FILE));
        if (!stored.clusterId().equals(ticket.clusterId())) {
            throw new FormatException("the credentials in " + dir + " are for cluster " + stored.clusterId()
                    + ", but its ticket is for cluster " + ticket.clusterId());
        }
        return new Target(peers, stored.clusterKey());
    }

    private String requireCookie(String option) {
        if (cookie == null) {
            throw new FormatException(option + " needs --cookie (or ASPEN_COOKIE): clients prove themselves with it");
        }
        return cookie;
    }
}
