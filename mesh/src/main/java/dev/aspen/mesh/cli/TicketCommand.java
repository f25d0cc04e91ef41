package dev.aspen.mesh.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import dev.aspen.tickets.TicketPeer;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aspen ticket create|inspect|demo}: make and read cluster tickets. */
@Command(
        name = "ticket",
        mixinStandardHelpOptions = true,
        description = "Create and inspect cluster tickets.",
        subcommands = {TicketCommand.Create.class, TicketCommand.Inspect.class, TicketCommand.Demo.class})
final class TicketCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(), "a subcommand is required: create, inspect or demo");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Print a ticket for a cluster.")
    static final class Create implements Runnable {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--cookie",
                required = true,
                defaultValue = "${env:ASPEN_COOKIE}",
                description = "The cluster's shared secret (or set ASPEN_COOKIE). Only its public id goes "
                        + "into the ticket.")
        String cookie;

        @Option(
                names = "--peer",
                required = true,
                paramLabel = "NODEID@HOST:PORT[,HOST:PORT...]",
                converter = PeerConverter.class,
                description = "A bootstrap peer (1 to 16, each with 1 to 8 IP addresses).")
        List<TicketPeer> peers;

        @Override
        public void run() {
            var ticket = ClusterTicket.of(Cookie.of(cookie).clusterId(), peers);
            spec.commandLine().getOut().println(ticket);
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Print a ticket's fields as JSON.")
    static final class Inspect implements Runnable {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "TICKET", description = "The ticket text, starting with 'aspen'.")
        String ticket;

        @Override
        public void run() {
            spec.commandLine().getOut().println(toJson(ClusterTicket.parse(ticket)));
        }
    }

    @Command(
            name = "demo",
            mixinStandardHelpOptions = true,
            description = "Make a ticket for a throw-away node identity and show what it holds.")
    static final class Demo implements Runnable {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--cookie", defaultValue = "aspen-demo", description = "Cookie to derive the cluster id from.")
        String cookie;

        @Override
        public void run() {
            NodeId node = NodeId.of(newNodeKey());
            var peer = new TicketPeer(node, List.of(new InetSocketAddress("127.0.0.1", 7000)));
            var ticket = ClusterTicket.of(Cookie.of(cookie).clusterId(), List.of(peer));
            var out = spec.commandLine().getOut();
            out.println("A node with identity " + node + " at 127.0.0.1:7000 in the cluster of cookie '" + cookie
                    + "' is reached with this ticket:");
            out.println();
            out.println("  " + ticket);
            out.println();
            out.println("It holds (aspen ticket inspect):");
            out.println(toJson(ticket));
        }

        private static java.security.PublicKey newNodeKey() {
            try {
                var generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
                return generator.generateKeyPair().getPublic();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this Java runtime cannot make P-256 keys", e);
            }
        }
    }

    /** Parses {@code --peer} values so a bad one is reported as a usage error. */
    static final class PeerConverter implements picocli.CommandLine.ITypeConverter<TicketPeer> {
        @Override
        public TicketPeer convert(String value) {
            try {
                return TicketPeer.parse(value);
            } catch (FormatException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    private static Map<String, Object> peerFields(TicketPeer peer) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("node_id", peer.nodeId().toString());
        fields.put(
                "addresses",
                peer.addresses().stream().map(SocketAddresses::format).toList());
        return fields;
    }

    static String toJson(ClusterTicket ticket) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("version", ClusterTicket.VERSION);
        fields.put("cluster_id", ticket.clusterId().toString());
        fields.put("join_secret", ticket.joinSecret().isPresent());
        fields.put(
                "peers", ticket.peers().stream().map(TicketCommand::peerFields).toList());
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps of strings always serialize", e);
        }
    }
}
