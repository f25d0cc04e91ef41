package dev.aspen.mesh.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KvException;
import dev.aspen.tickets.ClusterCredentials;
import dev.aspen.tickets.ClusterId;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import dev.aspen.tickets.TicketPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Messages of the admin protocol ({@value dev.aspen.mesh.quic.Protocol#ADMIN_ALPN}): one small
 * JSON object per RPC call and reply, each carrying the protocol version {@code "v": 1}.
 *
 * <pre>
 * request  {"v":1, "op": "status"|"add_learner"|"promote"|"remove"|"transfer"|"snapshot"|"ticket"
 *                        |"join_ticket"|"cluster_key",
 *           "node_id": id (add_learner, promote, remove; optional for transfer),
 *           "addresses": ["host:port", ...] (add_learner; may be empty)}
 * reply    {"v":1, "status": {ClusterStatusJson}}    add_learner, promote, remove, transfer, status
 *          {"v":1, "snapshot_index": n}               snapshot
 *          {"v":1, "ticket": "aspen..."}              ticket, join_ticket (with the join secret)
 *          {"v":1, "cluster_id": id, "cluster_key": 64 hex digits}    cluster_key
 *          {"v":1, "error": {"code": wire name, "message": text, "leader": id or null,
 *                            "oldest_revision": n, "requested_revision": n (compacted only)}}
 * </pre>
 */
final class AdminWire {
    static final int VERSION = 1;
    /** Largest request a node reads; admin requests are a few hundred bytes. */
    static final int MAX_REQUEST_BYTES = 16 * 1024;
    /** Largest reply a client accepts (a status of many members with its autopilot decisions). */
    static final int MAX_REPLY_BYTES = 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private AdminWire() {}

    /** The admin operations. */
    enum Op {
        STATUS,
        ADD_LEARNER,
        PROMOTE,
        REMOVE,
        TRANSFER,
        SNAPSHOT,
        TICKET,
        /** The ticket with the cluster's join secret. */
        JOIN_TICKET,
        /** The cluster id and key, for a node that joins with a join ticket. */
        CLUSTER_KEY;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One request; {@code node} is present exactly when the operation names one. */
    record Request(Op op, Optional<NodeId> node, List<InetSocketAddress> addresses) {
        Request {
            addresses = List.copyOf(addresses);
        }

        static Request of(Op op) {
            return new Request(op, Optional.empty(), List.of());
        }

        static Request of(Op op, NodeId node) {
            return new Request(op, Optional.of(node), List.of());
        }
    }

    static byte[] encode(Request request) {
        ObjectNode out = envelope();
        out.put("op", request.op().wireName());
        request.node().ifPresent(node -> out.put("node_id", node.toString()));
        if (!request.addresses().isEmpty()) {
            ArrayNode addresses = out.putArray("addresses");
            request.addresses().forEach(a -> addresses.add(SocketAddresses.format(a)));
        }
        return bytes(out);
    }

    /**
     * Reads a request.
     *
     * @throws KvException {@code invalid_argument} naming what is wrong: too large, not JSON, another
     *     version, an unknown operation, a missing or malformed node id or address
     */
    static Request decodeRequest(byte[] bytes) {
        if (bytes.length > MAX_REQUEST_BYTES) {
            throw invalid("admin request of " + bytes.length + " bytes exceeds the limit of " + MAX_REQUEST_BYTES);
        }
        JsonNode in = parse(bytes, "admin request");
        Op op = op(in.path("op").asText(""));
        JsonNode node = in.get("node_id");
        boolean needsNode = op == Op.ADD_LEARNER || op == Op.PROMOTE || op == Op.REMOVE;
        if (needsNode && (node == null || node.isNull())) {
            throw invalid("admin request '" + op.wireName() + "' needs a node_id");
        }
        try {
            Optional<NodeId> nodeId = node == null || node.isNull() ? Optional.empty() : Optional.of(nodeId(node));
            return new Request(op, nodeId, addresses(in.get("addresses")));
        } catch (FormatException e) {
            throw invalid(e.getMessage());
        }
    }

    static byte[] statusReply(ClusterStatus status) {
        ObjectNode out = envelope();
        out.set("status", ClusterStatusJson.toJson(status));
        return bytes(out);
    }

    static byte[] snapshotReply(long index) {
        return bytes(envelope().put("snapshot_index", index));
    }

    static byte[] ticketReply(ClusterTicket ticket) {
        return bytes(envelope().put("ticket", ticket.toString()));
    }

    static byte[] credentialsReply(ClusterCredentials credentials) {
        return bytes(envelope()
                .put("cluster_id", credentials.clusterId().toString())
                .put(
                        "cluster_key",
                        HexFormat.of().formatHex(credentials.clusterKey().toBytes())));
    }

    static byte[] errorReply(KvException error) {
        String prefix = error.code().wireName() + ": ";
        String message = error.getMessage().startsWith(prefix)
                ? error.getMessage().substring(prefix.length())
                : error.getMessage();
        ObjectNode out = envelope();
        ObjectNode e = out.putObject("error");
        e.put("code", error.code().wireName());
        e.put("message", message);
        e.put("leader", error.leaderId().orElse(null));
        if (error.code() == ErrorCode.COMPACTED) {
            e.put("oldest_revision", error.oldestRevision());
            e.put("requested_revision", error.requestedRevision());
        }
        return bytes(out);
    }

    /**
     * Reads a status reply.
     *
     * @throws KvException the error the node sent, or {@code unavailable} for a reply that cannot
     *     be read
     */
    static ClusterStatus decodeStatus(byte[] reply) {
        JsonNode status = result(reply, "status");
        try {
            return ClusterStatusJson.fromJson(status);
        } catch (FormatException e) {
            throw badReply(e.getMessage());
        }
    }

    /** Reads a snapshot reply; fails as {@link #decodeStatus} does. */
    static long decodeSnapshot(byte[] reply) {
        JsonNode index = result(reply, "snapshot_index");
        if (!index.canConvertToLong()) {
            throw badReply("snapshot_index is not an integer");
        }
        return index.asLong();
    }

    /** Reads a ticket reply; fails as {@link #decodeStatus} does. */
    static ClusterTicket decodeTicket(byte[] reply) {
        try {
            return ClusterTicket.parse(result(reply, "ticket").asText());
        } catch (FormatException e) {
            throw badReply(e.getMessage());
        }
    }

    /** Reads a cluster key reply; fails as {@link #decodeStatus} does. */
    static ClusterCredentials decodeCredentials(byte[] reply) {
        String id = result(reply, "cluster_id").asText();
        String key = result(reply, "cluster_key").asText();
        try {
            return new ClusterCredentials(
                    ClusterId.parse(id), ClusterKey.ofBytes(HexFormat.of().parseHex(key)));
        } catch (IllegalArgumentException e) { // a FormatException, or bad hex
            throw badReply("cluster_id or cluster_key is malformed: " + e.getMessage());
        }
    }

    /** The {@link KvException} behind a failed future, or {@code unavailable} naming any other failure. */
    static KvException unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof KvException kv
                ? kv
                : KvException.of(ErrorCode.UNAVAILABLE, "admin operation failed: " + cause);
    }

    private static JsonNode result(byte[] reply, String field) {
        JsonNode in;
        try {
            in = parse(reply, "admin reply");
        } catch (KvException e) {
            throw badReply(e.getMessage());
        }
        JsonNode error = in.get("error");
        if (error != null && error.isObject()) {
            throw rebuild(error);
        }
        JsonNode value = in.get(field);
        if (value == null || value.isNull()) {
            throw badReply("it has no '" + field + "'");
        }
        return value;
    }

    private static KvException rebuild(JsonNode error) {
        ErrorCode code;
        try {
            code = ErrorCode.fromWireName(error.path("code").asText(""));
        } catch (IllegalArgumentException e) {
            throw badReply(e.getMessage());
        }
        return switch (code) {
            case NOT_LEADER ->
                KvException.notLeader(
                        error.hasNonNull("leader") ? error.get("leader").asText() : null);
            case COMPACTED ->
                KvException.compacted(
                        error.path("requested_revision").asLong(-1),
                        error.path("oldest_revision").asLong(-1));
            default -> KvException.of(code, error.path("message").asText(""));
        };
    }

    private static JsonNode parse(byte[] bytes, String what) {
        JsonNode in;
        try {
            in = JSON.readTree(bytes);
        } catch (IOException e) {
            String problem = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
            throw invalid(what + " is not JSON: " + problem);
        }
        if (in == null || !in.isObject()) {
            throw invalid(what + " is not a JSON object");
        }
        int version = in.path("v").asInt(-1);
        if (version != VERSION) {
            throw invalid(what + " has version " + in.path("v") + "; this node speaks admin protocol " + VERSION);
        }
        return in;
    }

    private static Op op(String text) {
        for (Op op : Op.values()) {
            if (op.wireName().equals(text)) {
                return op;
            }
        }
        throw invalid("unknown admin operation '" + text + "'");
    }

    private static NodeId nodeId(JsonNode node) {
        if (!node.isTextual()) {
            throw new FormatException("node_id must be a string");
        }
        return NodeId.parse(node.asText());
    }

    private static List<InetSocketAddress> addresses(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray() || node.size() > TicketPeer.MAX_ADDRESSES) {
            throw new FormatException("addresses must be an array of at most " + TicketPeer.MAX_ADDRESSES + " strings");
        }
        var out = new ArrayList<InetSocketAddress>();
        for (JsonNode address : node) {
            out.add(SocketAddresses.parse(address.asText()));
        }
        return out;
    }

    private static ObjectNode envelope() {
        return JSON.createObjectNode().put("v", VERSION);
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    private static KvException invalid(String message) {
        return KvException.of(ErrorCode.INVALID_ARGUMENT, message);
    }

    private static KvException badReply(String problem) {
        return KvException.of(ErrorCode.UNAVAILABLE, "the node sent a bad admin reply: " + problem);
    }
}
