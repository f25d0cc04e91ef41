package dev.aspen.mesh.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aspen.discovery.PeerDirectory;
import dev.aspen.discovery.PeerEvent;
import dev.aspen.discovery.PeerRecord;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the other nodes of the cluster are: the live, verified records of discovery first, then
 * what this node remembers from earlier ({@value #FILE} in the data directory), so a restarted node
 * can reach its peers, and re-seed its gossip, before discovery has heard from anyone.
 *
 * <p>Thread-safe. Holds at most {@link #MAX_PEERS} entries (the least recently updated go first).
 * Every change is written through (temporary file + atomic rename).
 */
final class PeerBook {
    static final String FILE = "peers.json";
    static final int MAX_PEERS = PeerDirectory.MAX_PEERS;
    private static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What is remembered of one peer. */
    record Entry(List<InetSocketAddress> quic, Optional<InetSocketAddress> gossip) {}

    private final Path file;
    private final Map<NodeId, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private volatile PeerDirectory directory;

    private PeerBook(Path file) {
        this.file = file;
    }

    /** From now on, prefer the live records of {@code liveDirectory} and remember every one it accepts. */
    void attach(PeerDirectory liveDirectory) {
        this.directory = liveDirectory;
        liveDirectory.addListener(event -> {
            if (event.type() == PeerEvent.Type.JOINED || event.type() == PeerEvent.Type.UPDATED) {
                record(event.record());
            }
        });
    }

    private Optional<PeerRecord> live(NodeId node) {
        PeerDirectory current = directory;
        return current == null ? Optional.empty() : current.lookup(node);
    }

    /**
     * Reads {@value #FILE} from {@code dataDir} (absent: an empty book).
     *
     * @throws FormatException naming the file and the problem when it is not a peer book
     */
    static PeerBook load(Path dataDir) throws IOException {
        PeerBook book = new PeerBook(dataDir.resolve(FILE));
        if (!Files.exists(book.file)) {
            return book;
        }
        try {
            JsonNode root = JSON.readTree(book.file.toFile());
            if (root == null
                    || root.path("version").asInt(-1) != VERSION
                    || !root.path("peers").isArray()) {
                throw new FormatException("expected {\"version\":" + VERSION + ",\"peers\":[...]}");
            }
            for (JsonNode peer : root.get("peers")) {
                List<InetSocketAddress> quic = new ArrayList<>();
                for (JsonNode address : peer.path("quic")) {
                    quic.add(SocketAddresses.parse(address.asText()));
                }
                Optional<InetSocketAddress> gossip = peer.hasNonNull("gossip")
                        ? Optional.of(SocketAddresses.parse(peer.get("gossip").asText()))
                        : Optional.empty();
                book.entries.put(NodeId.parse(peer.path("node_id").asText()), new Entry(List.copyOf(quic), gossip));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new FormatException(book.file + " is not a valid peer book (" + e.getMessage()
                    + "); delete it and the node relearns its peers through discovery");
        }
        return book;
    }

    /** Remembers a verified record from discovery. */
    void record(PeerRecord peer) {
        put(peer.nodeId(), new Entry(List.of(peer.quicAddress()), Optional.of(peer.gossipAddress())));
    }

    /** Remembers QUIC addresses an operator gave for {@code node} (keeping its gossip address). */
    void remember(NodeId node, List<InetSocketAddress> quic) {
        if (quic.isEmpty()) {
            return;
        }
        synchronized (this) {
            Entry old = entries.get(node);
            put(node, new Entry(List.copyOf(quic), old == null ? Optional.empty() : old.gossip()));
        }
    }

    /** Where {@code node}'s QUIC endpoint is: its live record's address, else the remembered ones. */
    List<InetSocketAddress> quicAddresses(NodeId node) {
        Optional<PeerRecord> live = live(node);
        if (live.isPresent()) {
            return List.of(live.get().quicAddress());
        }
        synchronized (this) {
            Entry entry = entries.get(node);
            return entry == null ? List.of() : entry.quic();
        }
    }

    /**
     * The addresses a ticket lists for {@code node}: its QUIC address, then its gossip address when
     * that differs (clients try them as QUIC addresses, discovery as gossip seeds).
     */
    List<InetSocketAddress> ticketAddresses(NodeId node) {
        Optional<PeerRecord> live = live(node);
        if (live.isPresent()) {
            return ticketAddresses(live.get().quicAddress(), live.get().gossipAddress());
        }
        synchronized (this) {
            Entry entry = entries.get(node);
            if (entry == null || entry.quic().isEmpty()) {
                return List.of();
            }
            return entry.gossip()
                    .map(gossip -> ticketAddresses(entry.quic().get(0), gossip))
                    .orElse(entry.quic());
        }
    }

    static List<InetSocketAddress> ticketAddresses(InetSocketAddress quic, InetSocketAddress gossip) {
        return quic.equals(gossip) ? List.of(quic) : List.of(quic, gossip);
    }

    /** The gossip address of every remembered peer (seeds for a restart). */
    synchronized List<InetSocketAddress> gossipSeeds() {
        var seeds = new LinkedHashSet<InetSocketAddress>();
        entries.values().forEach(entry -> entry.gossip().ifPresent(seeds::add));
        return List.copyOf(seeds);
    }

    private synchronized void put(NodeId node, Entry entry) {
        if (entry.equals(entries.get(node))) {
            return;
        }
        entries.put(node, entry);
        while (entries.size() > MAX_PEERS) {
            entries.remove(entries.keySet().iterator().next());
        }
        write();
    }

    private void write() {
        ObjectNode root = JSON.createObjectNode().put("version", VERSION);
        ArrayNode peers = root.putArray("peers");
        entries.forEach((node, entry) -> {
            ObjectNode peer = peers.addObject().put("node_id", node.toString());
            ArrayNode quic = peer.putArray("quic");
            entry.quic().forEach(address -> quic.add(SocketAddresses.format(address)));
            peer.put("gossip", entry.gossip().map(SocketAddresses::format).orElse(null));
        });
        Path temp = file.resolveSibling(FILE + ".tmp");
        try {
            Files.write(temp, JSON.writeValueAsBytes(root));
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
