package dev.aspen.mesh.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.aspen.mesh.rpc.PeerConnector;
import dev.aspen.tickets.ClusterCredentials;
import dev.aspen.tickets.ClusterId;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.FormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The small files a node keeps in its data directory besides its identity, log and state:
 *
 * <ul>
 *   <li>{@value #COOKIE_FILE} (mode 0600): the cluster cookie, so a restart needs only the data
 *       directory;
 *   <li>{@value #CLUSTER_KEY_FILE} (mode 0600), instead of the cookie on a node that joined with a
 *       join ticket: the cluster id and key it was given, as JSON {@code {"version": 1,
 *       "cluster_id", "cluster_key": hex}};
 *   <li>{@value #NODE_FILE}: what a running node tells tools and users — its NodeId, cluster id,
 *       QUIC address and ticket. Written after every start.
 * </ul>
 */
public final class NodeFiles {
    public static final String COOKIE_FILE = "cookie";
    public static final String CLUSTER_KEY_FILE = "cluster-key";
    public static final String NODE_FILE = "node.json";
    private static final int NODE_FILE_VERSION = 1;
    private static final int CLUSTER_KEY_FILE_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private NodeFiles() {}

    /**
     * What {@value #NODE_FILE} holds. Addresses are {@code host:port} text.
     *
     * @param gossipAddress where gossip (TCP) listens, absent for a node without discovery
     * @param httpAddress where the HTTP API listens, absent when it has none
     */
    public record NodeInfo(
            String nodeId,
            String clusterId,
            String quicAddress,
            String ticket,
            Optional<String> gossipAddress,
            Optional<String> httpAddress) {
        /** A node without gossip and HTTP. */
        public NodeInfo(String nodeId, String clusterId, String quicAddress, String ticket) {
            this(nodeId, clusterId, quicAddress, ticket, Optional.empty(), Optional.empty());
        }
    }

    /** Gets a cluster's credentials with a join ticket (from one of its nodes). */
    @FunctionalInterface
    public interface CredentialsFetcher {
        /**
         * Blocks while fetching; returns only credentials checked against {@code joinTicket}.
         *
         * @throws FormatException if the cluster refuses the ticket or answers with other credentials
         * @throws IOException if no node of the ticket can be reached
         */
        ClusterCredentials fetch(ClusterTicket joinTicket) throws IOException;
    }

    /**
     * The cluster credentials to run with, in this order:
     *
     * <ol>
     *   <li>a cookie given or stored: as {@link #cookie}, and a stored {@value #CLUSTER_KEY_FILE} must
     *       match it;
     *   <li>the stored {@value #CLUSTER_KEY_FILE}, for a node that joined with a join ticket;
     *   <li>with a {@code ticket}: its join secret fetches them ({@code fetcher}), and they are
     *       stored in {@value #CLUSTER_KEY_FILE} (the cookie never leaves the nodes that have it);
     *   <li>else a new random cookie (stored).
     * </ol>
     *
     * @throws FormatException if the given cookie differs from the stored one, the stored files
     *     disagree or are invalid, or the ticket has no join secret and there is no cookie
     * @throws IOException if a file cannot be read or written, or the fetch fails
     */
    public static ClusterCredentials credentials(
            Path dataDir, Optional<String> givenCookie, Optional<ClusterTicket> ticket, CredentialsFetcher fetcher)
            throws IOException {
        Path keyFile = dataDir.resolve(CLUSTER_KEY_FILE);
        Optional<ClusterCredentials> fetched =
                Files.exists(keyFile) ? Optional.of(readClusterKey(keyFile)) : Optional.empty();
        if (givenCookie.isPresent() || Files.exists(dataDir.resolve(COOKIE_FILE))) {
            // Checked before cookie() may store the given cookie, so a refused one leaves no trace.
            givenCookie.ifPresent(given -> requireSame(fetched, Cookie.of(given).credentials(), keyFile));
            ClusterCredentials fromCookie = cookie(dataDir, givenCookie).credentials();
            requireSame(fetched, fromCookie, keyFile);
            return fromCookie;
        }
        if (fetched.isPresent()) {
            return fetched.get();
        }
        if (ticket.isPresent()) {
            if (ticket.get().joinSecret().isEmpty()) {
                throw new FormatException(PeerConnector.NO_JOIN_SECRET);
            }
            ClusterCredentials credentials = fetcher.fetch(ticket.get());
            writeClusterKey(keyFile, credentials);
            return credentials;
        }
        return cookie(dataDir, Optional.empty()).credentials();
    }

    private static void requireSame(Optional<ClusterCredentials> stored, ClusterCredentials fromCookie, Path keyFile) {
        if (stored.isPresent() && !stored.get().equals(fromCookie)) {
            throw new FormatException("the cookie gives cluster " + fromCookie.clusterId() + " but " + keyFile
                    + " holds a different key, for cluster " + stored.get().clusterId()
                    + ": this data directory belongs to another cluster");
        }
    }

    /**
     * The credentials stored in {@code dataDir}: from its cookie, else from its {@value
     * #CLUSTER_KEY_FILE}; empty when it has neither.
     *
     * @throws FormatException naming the file if it is invalid
     */
    public static Optional<ClusterCredentials> storedCredentials(Path dataDir) throws IOException {
        Path cookieFile = dataDir.resolve(COOKIE_FILE);
        if (Files.exists(cookieFile)) {
            return Optional.of(Cookie.of(
                            Files.readString(cookieFile, StandardCharsets.UTF_8).strip())
                    .credentials());
        }
        Path keyFile = dataDir.resolve(CLUSTER_KEY_FILE);
        return Files.exists(keyFile) ? Optional.of(readClusterKey(keyFile)) : Optional.empty();
    }

    private static ClusterCredentials readClusterKey(Path file) throws IOException {
        JsonNode json;
        try {
            json = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new FormatException(file + " is not valid JSON: " + e.getMessage());
        }
        if (json == null || json.path("version").asInt(-1) != CLUSTER_KEY_FILE_VERSION) {
            throw new FormatException(file + " has version " + (json == null ? "none" : json.path("version"))
                    + "; this build reads version " + CLUSTER_KEY_FILE_VERSION);
        }
        String id = field(json, "cluster_id", file);
        String key = field(json, "cluster_key", file);
        try {
            return new ClusterCredentials(
                    ClusterId.parse(id), ClusterKey.ofBytes(HexFormat.of().parseHex(key)));
        } catch (IllegalArgumentException e) {
            throw new FormatException(file + " has a malformed cluster_id or cluster_key: " + e.getMessage());
        }
    }

    private static void writeClusterKey(Path file, ClusterCredentials credentials) throws IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("version", CLUSTER_KEY_FILE_VERSION);
        fields.put("cluster_id", credentials.clusterId().toString());
        fields.put(
                "cluster_key", HexFormat.of().formatHex(credentials.clusterKey().toBytes()));
        writePrivate(file, JSON.writeValueAsString(fields));
    }

    /**
     * The cookie to run with: the one given, else the stored one, else a new random one (stored).
     *
     * @throws FormatException if a given cookie differs from the stored one (the data directory
     *     belongs to another cluster) or the stored one is not a valid cookie
     */
    public static Cookie cookie(Path dataDir, Optional<String> given) throws IOException {
        Path file = dataDir.resolve(COOKIE_FILE);
        Optional<String> stored = Files.exists(file) ? Optional.of(readCookie(file)) : Optional.empty();
        if (given.isPresent() && stored.isPresent() && !given.get().equals(stored.get())) {
            throw new FormatException("the cookie given differs from the one in " + file
                    + ": this data directory belongs to cluster "
                    + Cookie.of(stored.get()).clusterId()
                    + ", the cookie to cluster " + Cookie.of(given.get()).clusterId());
        }
        String text = given.or(() -> stored).orElseGet(NodeFiles::randomCookie);
        Cookie cookie = Cookie.of(text);
        if (stored.isEmpty()) {
            writePrivate(file, text);
        }
        return cookie;
    }

    private static String readCookie(Path file) throws IOException {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            Cookie.of(text);
            return text;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new FormatException(file + " is not a cookie: it holds bytes that are not UTF-8 text");
        } catch (FormatException e) {
            throw new FormatException(file + " does not hold a valid cookie: " + e.getMessage());
        }
    }

    /** Writes {@value #NODE_FILE} (via a temporary file and a rename). */
    public static void writeNodeInfo(Path dataDir, NodeInfo info) throws IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("version", NODE_FILE_VERSION);
        fields.put("node_id", info.nodeId());
        fields.put("cluster_id", info.clusterId());
        fields.put("quic_address", info.quicAddress());
        fields.put("gossip_address", info.gossipAddress().orElse(null));
        fields.put("http_address", info.httpAddress().orElse(null));
        fields.put("http_url", info.httpAddress().map(a -> "http://" + a).orElse(null));
        fields.put("ticket", info.ticket());
        Path temp = dataDir.resolve(NODE_FILE + ".tmp");
        Files.write(temp, JSON.writeValueAsBytes(fields));
        Files.move(
                temp, dataDir.resolve(NODE_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads {@value #NODE_FILE}.
     *
     * @throws FormatException naming the file if it is missing, not JSON, of another version or
     *     lacks a field
     */
    public static NodeInfo readNodeInfo(Path dataDir) throws IOException {
        Path file = dataDir.resolve(NODE_FILE);
        if (!Files.exists(file)) {
            throw new FormatException(file + " does not exist: is a node running with --data-dir " + dataDir + "?");
        }
        JsonNode json;
        try {
            json = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new FormatException(file + " is not valid JSON: " + e.getMessage());
        }
        if (json == null || json.path("version").asInt(-1) != NODE_FILE_VERSION) {
            throw new FormatException(file + " has version " + (json == null ? "none" : json.path("version"))
                    + "; this build reads version " + NODE_FILE_VERSION);
        }
        return new NodeInfo(
                field(json, "node_id", file),
                field(json, "cluster_id", file),
                field(json, "quic_address", file),
                field(json, "ticket", file),
                optionalField(json, "gossip_address", file),
                optionalField(json, "http_address", file));
    }

    /** The ticket a running node wrote, parsed. */
    public static ClusterTicket ticket(Path dataDir) throws IOException {
        return ClusterTicket.parse(readNodeInfo(dataDir).ticket());
    }

    private static String field(JsonNode json, String name, Path file) {
        JsonNode value = json.get(name);
        if (value == null || !value.isTextual()) {
            throw new FormatException(file + " has no text field '" + name + "'");
        }
        return value.asText();
    }

    private static Optional<String> optionalField(JsonNode json, String name, Path file) {
        JsonNode value = json.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(field(json, name, file));
    }

    private static String randomCookie() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temp, text + "\n", StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
