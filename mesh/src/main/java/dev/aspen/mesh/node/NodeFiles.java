package dev.aspen.mesh.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The small files a node keeps in its data directory besides its identity, log and state:
 *
 * <ul>
 *   <li>{@value #COOKIE_FILE} (mode 0600): the cluster cookie, so a restart needs only the data
 *       directory;
 *   <li>{@value #NODE_FILE}: what a running node tells tools and users — its NodeId, cluster id,
 *       QUIC address and ticket. Written after every start.
 * </ul>
 */
public final class NodeFiles {
    public static final String COOKIE_FILE = "cookie";
    public static final String NODE_FILE = "node.json";
    private static final int NODE_FILE_VERSION = 1;
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
