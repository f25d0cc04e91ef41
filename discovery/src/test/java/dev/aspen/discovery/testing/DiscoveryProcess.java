package dev.aspen.discovery.testing;

import dev.aspen.discovery.Discovery;
import dev.aspen.discovery.DiscoveryBuilder;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.SocketAddresses;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A discovery node in its own JVM, for the multi-process tests. Arguments: {@code --cookie TEXT
 * --key FILE (created if missing) [--bind IP] [--port N] [--ticket TEXT] [--peers HOST:PORT,...] [--beacon-port N]} (beacon off
 * unless a port is given). Prints {@code READY nodeId gossipAddress incarnation}, then one line
 * {@code TYPE nodeId incarnation} per directory event. Exits when stdin closes, so a dead test JVM
 * leaves no orphans.
 */
public final class DiscoveryProcess {
    private DiscoveryProcess() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        Path keyFile = Path.of(options.get("--key"));
        if (!Files.exists(keyFile)) {
            KeyFiles.write(KeyFiles.generate(), keyFile);
        }
        var out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        var builder = Discovery.builder()
                .cookie(Cookie.of(options.get("--cookie")))
                .keyPair(KeyFiles.read(keyFile))
                .bindAddress(InetAddress.getByName(options.getOrDefault("--bind", "127.0.0.1")))
                .gossipPort(Integer.parseInt(options.getOrDefault("--port", "0")))
                .quicAddress(
                        new InetSocketAddress(InetAddress.getByName(options.getOrDefault("--bind", "127.0.0.1")), 4433))
                .beacon(options.containsKey("--beacon-port"));
        if (options.containsKey("--beacon-port")) {
            builder.beaconGroup(new InetSocketAddress(
                    DiscoveryBuilder.DEFAULT_BEACON_GROUP.getAddress(),
                    Integer.parseInt(options.get("--beacon-port"))));
        }
        if (options.containsKey("--ticket")) {
            builder.ticket(ClusterTicket.parse(options.get("--ticket")));
        }
        if (options.containsKey("--peers")) {
            builder.peers(options.get("--peers"));
        }
        Discovery discovery = builder.build();
        discovery
                .directory()
                .addListener(event -> out.println(event.type() + " "
                        + event.record().nodeId() + " " + event.record().incarnation()));
        discovery.start();
        out.println("READY " + discovery.localRecord().nodeId() + " "
                + SocketAddresses.format(discovery.localRecord().gossipAddress()) + " "
                + discovery.localRecord().incarnation());
        while (System.in.read() >= 0) {
            // Wait for the parent to close stdin (or die).
        }
        discovery.close();
        System.exit(0);
    }
}
