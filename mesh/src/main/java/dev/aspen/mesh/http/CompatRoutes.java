package dev.aspen.mesh.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValue;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.TxnOp;
import dev.aspen.mesh.cluster.ClusterAdmin;
import dev.aspen.mesh.cluster.ClusterStatus;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The routes of the earlier Aspen control plane (an openraft-style HTTP API), kept so its scripts
 * keep working: {@code /init}, {@code /add-learner}, {@code /change-membership}, {@code /write},
 * {@code /read}, {@code /leader}, {@code /raft-metrics}, {@code /cluster-ticket}, {@code
 * /node-info}, {@code /state}, {@code /trigger-snapshot}. Node ids are NodeId text instead of
 * integers; {@code docs/http-api.md} lists every difference.
 */
final class CompatRoutes {
    private final KeyValueStore kv;
    private final ClusterAdmin admin;
    private final NodeId self;
    private final InetSocketAddress quicAddress;
    private final Supplier<InetSocketAddress> httpAddress;

    CompatRoutes(
            KeyValueStore kv,
            ClusterAdmin admin,
            NodeId self,
            InetSocketAddress quicAddress,
            Supplier<InetSocketAddress> httpAddress) {
        this.kv = kv;
        this.admin = admin;
        this.self = self;
        this.quicAddress = quicAddress;
        this.httpAddress = httpAddress;
    }

    void register(Router router) {
        router.add("POST", "/init", this::init)
                .add("POST", "/add-learner", this::addLearner)
                .add("POST", "/change-membership", this::changeMembership)
                .add("POST", "/write", this::write)
                .add("POST", "/read", this::read)
                .add("GET", "/leader", this::leader)
                .add("GET", "/raft-metrics", this::raftMetrics)
                .add("GET", "/cluster-ticket", this::clusterTicket)
                .add("GET", "/node-info", this::nodeInfo)
                .add("GET", "/state", this::state)
                .add("POST", "/trigger-snapshot", this::triggerSnapshot);
    }

    /**
     * Aspen nodes form their cluster themselves, so {@code /init} only confirms: 200 with the state
     * once a leader is known and every node the body names is a member; 412 naming the nodes that are
     * not; 503 while no leader is known. Bodies: empty, {@code {}}, {@code []}, {@code
     * {"initial_members":[{"id",...}]}}, {@code {"members":[id,...]}}, {@code [[id,"addr"],...]}.
     */
    private Reply init(Call call) throws Exception {
        call.allowOnly();
        List<NodeId> named = initIds(call.json());
        ClusterStatus status = call.await(admin.status());
        if (status.leader().isEmpty()) {
            throw ApiException.unavailable("the cluster has not formed yet: Aspen nodes form it themselves"
                    + " (aspen node --bootstrap-expect N); /init cannot form it");
        }
        Set<NodeId> members = new LinkedHashSet<>();
        status.members().forEach(m -> members.add(m.nodeId()));
        List<NodeId> strangers =
                named.stream().filter(id -> !members.contains(id)).toList();
        if (!strangers.isEmpty()) {
            throw ApiException.of(
                    412,
                    ErrorCode.FAILED_PRECONDITION.wireName(),
                    "the cluster is already formed and " + strangers + " are not members; add them with /add-learner");
        }
        return Reply.ok(clusterState(status));
    }

    private static List<NodeId> initIds(JsonNode body) {
        List<NodeId> ids = new ArrayList<>();
        if (body == null) {
            return ids;
        }
        if (body.isArray()) {
            for (int i = 0; i < body.size(); i++) {
                JsonNode pair = body.get(i);
                String path = "[" + i + "]";
                ids.add(nodeId(pair.isArray() && pair.size() > 0 ? pair.get(0) : pair, path));
            }
            return ids;
        }
        Json.requireObject(body, "");
        Optional<JsonNode> initial = Json.optional(body, "initial_members");
        if (initial.isPresent()) {
            List<JsonNode> nodes = elements(initial.get(), "initial_members");
            for (int i = 0; i < nodes.size(); i++) {
                String path = "initial_members[" + i + "]";
                ids.add(nodeId(Json.required(Json.requireObject(nodes.get(i), path), "id", path), path + ".id"));
            }
        }
        Optional<JsonNode> members = Json.optional(body, "members");
        if (members.isPresent()) {
            ids.addAll(nodeIds(members.get(), "members"));
        }
        return ids;
    }

    /**
     * Bodies: {@code {"learner":{"id","addr","raft_addr"?}}} (the QUIC address is {@code raft_addr};
     * {@code addr} was the node's HTTP address and is not used), {@code {"node_id"}}, or {@code
     * [id, "quic host:port"]}. Without an address the node's address comes from discovery.
     */
    private Reply addLearner(Call call) throws Exception {
        call.allowOnly();
        JsonNode body = call.json();
        NodeId node;
        List<InetSocketAddress> addresses = new ArrayList<>();
        if (body != null && body.isArray()) {
            if (body.size() != 2) {
                throw ApiException.invalid("request body must be [node_id, \"host:port\"]");
            }
            node = nodeId(body.get(0), "[0]");
            addresses.add(Json.address(body.get(1), "[1]"));
        } else if (Json.requireObject(body, "").has("learner")) {
            JsonNode learner = Json.requireObject(body.get("learner"), "learner");
            node = nodeId(Json.required(learner, "id", "learner"), "learner.id");
            Json.optional(learner, "raft_addr").ifPresent(a -> addresses.add(Json.address(a, "learner.raft_addr")));
        } else {
            node = nodeId(Json.required(body, "node_id", ""), "node_id");
        }
        return Reply.ok(clusterState(call.await(admin.addLearner(node, addresses))));
    }

    /**
     * The complete new voter set, {@code {"members":[id,...]}} or {@code [id,...]}: learners named are
     * promoted first (one at a time), then voters not named are removed.
     */
    private Reply changeMembership(Call call) throws Exception {
        call.allowOnly();
        JsonNode body = call.json();
        List<NodeId> target = body != null && body.isArray()
                ? nodeIds(body, "request body")
                : nodeIds(Json.required(Json.requireObject(body, ""), "members", ""), "members");
        if (target.isEmpty()) {
            throw ApiException.invalid("field 'members' must name at least one node");
        }
        ClusterStatus status = call.await(admin.status());
        Set<NodeId> voters = new LinkedHashSet<>();
        Set<NodeId> learners = new LinkedHashSet<>();
        status.members().forEach(m -> (m.voter() ? voters : learners).add(m.nodeId()));
        for (NodeId id : target) {
            if (!voters.contains(id) && !learners.contains(id)) {
                throw ApiException.invalid("node " + id + " is not a member; add it with /add-learner first");
            }
        }
        for (NodeId id : target) {
            if (learners.contains(id)) {
                status = call.await(admin.promote(id));
            }
        }
        for (NodeId id : voters) {
            if (!target.contains(id)) {
                status = call.await(admin.remove(id));
            }
        }
        return Reply.ok(clusterState(status));
    }

    /**
     * {@code {"command":{"Set":{"key","value"}}}}, {@code SetMulti {"pairs":[[k,v],...]}} (atomic),
     * {@code Delete {"key"}}, {@code DeleteMulti {"keys":[...]}} (atomic); the {@code "command"}
     * wrapper may be left out. Answers the command and the revision.
     */
    private Reply write(Call call) throws Exception {
        call.allowOnly();
        JsonNode body = call.jsonObject();
        String at = body.has("command") ? "command" : "";
        JsonNode command = body.has("command") ? Json.requireObject(body.get("command"), "command") : body;
        if (command.size() != 1) {
            throw ApiException.invalid("field '" + (at.isEmpty() ? "request body" : at)
                    + "' must have exactly one of 'Set', 'SetMulti', 'Delete', 'DeleteMulti'");
        }
        String kind = command.fieldNames().next();
        String path = Json.path(at, kind);
        JsonNode args = Json.requireObject(command.get(kind), path);
        long revision =
                switch (kind) {
                    case "Set" ->
                        call.await(kv.put(Json.key(args, "key", path), utf8Value(args, "value", path)))
                                .revision();
                    case "SetMulti" -> call.await(kv.putAll(pairs(args, path))).revision();
                    case "Delete" ->
                        call.await(kv.delete(KeyRange.key(Json.key(args, "key", path)), false))
                                .revision();
                    case "DeleteMulti" ->
                        call.await(kv.txn(List.of(), deletes(args, path), List.of()))
                                .revision();
                    default ->
                        throw ApiException.invalid("field '" + path + "' is not a command; expected"
                                + " Set, SetMulti, Delete or DeleteMulti");
                };
        ObjectNode out = Json.object();
        out.putObject("command").set(kind, args);
        return Reply.ok(out.put("revision", revision));
    }

    private static byte[] utf8Value(JsonNode args, String name, String path) {
        return Json.text(args, name, path).getBytes(UTF_8);
    }

    private static List<TxnOp.Put> pairs(JsonNode args, String path) {
        List<JsonNode> pairs = elements(Json.required(args, "pairs", path), Json.path(path, "pairs"));
        List<TxnOp.Put> puts = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            JsonNode pair = pairs.get(i);
            String at = Json.path(path, "pairs") + "[" + i + "]";
            if (!pair.isArray() || pair.size() != 2) {
                throw ApiException.invalid("field '" + at + "' must be [\"key\", \"value\"]");
            }
            puts.add(new TxnOp.Put(
                    Json.text(pair.get(0), at + "[0]").getBytes(UTF_8),
                    Json.text(pair.get(1), at + "[1]").getBytes(UTF_8),
                    0,
                    false));
        }
        return puts;
    }

    private static List<TxnOp> deletes(JsonNode args, String path) {
        String at = Json.path(path, "keys");
        List<JsonNode> keys = elements(Json.required(args, "keys", path), at);
        List<TxnOp> deletes = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            byte[] key = Json.text(keys.get(i), at + "[" + i + "]").getBytes(UTF_8);
            deletes.add(new TxnOp.Delete(KeyRange.key(key), false));
        }
        return deletes;
    }

    /** Body {@code {"key":"k"}} or {@code "k"}; answers {@code {"key","value"}} (linearizable), 404 if absent. */
    private Reply read(Call call) throws Exception {
        call.allowOnly();
        JsonNode body = call.json();
        String key =
                body != null && body.isTextual() ? body.asText() : Json.text(Json.requireObject(body, ""), "key", "");
        Optional<KeyValue> found = call.await(kv.get(key.getBytes(UTF_8))).kv();
        KeyValue value = found.orElseThrow(() -> ApiException.notFound("key '" + key + "' not found"));
        String text;
        try {
            text = UTF_8.newDecoder().decode(ByteBuffer.wrap(value.value())).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.of(
                    412,
                    ErrorCode.FAILED_PRECONDITION.wireName(),
                    "the value of '" + key + "' is not UTF-8 text; read it with GET /v1/kv/{key}");
        }
        return Reply.ok(Json.object().put("key", key).put("value", text));
    }

    private Reply leader(Call call) throws Exception {
        call.allowOnly();
        ClusterStatus status = call.await(admin.status());
        return Reply.ok(Json.object()
                .put("leader", status.leader().map(NodeId::toString).orElse(null)));
    }

    /** The openraft metrics subset this node knows: state, leader, term, applied and commit index, replication. */
    private Reply raftMetrics(Call call) throws Exception {
        call.allowOnly();
        ClusterStatus status = call.await(admin.status());
        ObjectNode out = Json.object()
                .put("node_id", status.self().toString())
                .put("state", capitalized(status.selfRole()))
                .put("current_leader", status.leader().map(NodeId::toString).orElse(null))
                .put("current_term", status.term())
                .put("commit_index", status.commitIndex());
        out.putObject("last_applied").put("index", status.appliedIndex());
        boolean leader = status.leader().filter(status.self()::equals).isPresent();
        if (leader) {
            ObjectNode replication = out.putObject("replication");
            for (ClusterStatus.Member member : status.members()) {
                replication
                        .putObject(member.nodeId().toString())
                        .put("index", member.matchIndex().orElse(null));
            }
        } else {
            out.putNull("replication");
        }
        return Reply.ok(out);
    }

    private static String capitalized(String role) {
        return role.isEmpty() ? role : role.substring(0, 1).toUpperCase(Locale.ROOT) + role.substring(1);
    }

    private Reply clusterTicket(Call call) {
        call.allowOnly();
        return Reply.ok(ClusterRoutes.ticketJson(admin.ticket()).put("endpoint_id", self.toString()));
    }

    private Reply nodeInfo(Call call) {
        call.allowOnly();
        return Reply.ok(Json.object()
                .put("node_id", self.toString())
                .put("endpoint_addr", SocketAddresses.format(quicAddress))
                .put("http_addr", SocketAddresses.format(httpAddress.get())));
    }

    private Reply state(Call call) throws Exception {
        call.allowOnly();
        return Reply.ok(clusterState(call.await(admin.status())));
    }

    private Reply triggerSnapshot(Call call) throws Exception {
        call.allowOnly();
        long index = call.await(admin.snapshot());
        ObjectNode out = Json.object();
        out.putObject("snapshot").put("index", index);
        return Reply.ok(out);
    }

    /** The earlier {@code ClusterState}: {@code {"nodes":[voter...],"members":[voter id...],"learners":[...]}}. */
    static ObjectNode clusterState(ClusterStatus status) {
        ObjectNode out = Json.object();
        ArrayNode nodes = out.putArray("nodes");
        ArrayNode members = out.putArray("members");
        ArrayNode learners = out.putArray("learners");
        for (ClusterStatus.Member member : status.members()) {
            ObjectNode node = (member.voter() ? nodes : learners)
                    .addObject()
                    .put("id", member.nodeId().toString())
                    .put(
                            "addr",
                            member.httpAddress().map(SocketAddresses::format).orElse(null))
                    .put(
                            "raft_addr",
                            member.quicAddress().map(SocketAddresses::format).orElse(null));
            if (member.voter()) {
                members.add(node.get("id"));
            }
        }
        return out;
    }

    private static List<JsonNode> elements(JsonNode array, String path) {
        if (!array.isArray()) {
            throw ApiException.invalid("field '" + path + "' must be an array");
        }
        List<JsonNode> out = new ArrayList<>();
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    private static List<NodeId> nodeIds(JsonNode array, String path) {
        List<JsonNode> items = elements(array, path);
        List<NodeId> ids = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            ids.add(nodeId(items.get(i), path + "[" + i + "]"));
        }
        return ids;
    }

    /** A NodeId, with a clear word for the integer ids of the earlier control plane. */
    private static NodeId nodeId(JsonNode value, String path) {
        if (value.isNumber()) {
            throw ApiException.invalid("field '" + path + "' is the integer " + value
                    + "; Aspen node ids are NodeId text (see GET /node-info)");
        }
        return Json.nodeId(value, path);
    }
}
