package dev.aspen.mesh.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aspen.mesh.cluster.ClusterAdmin;
import dev.aspen.mesh.cluster.ClusterStatus;
import dev.aspen.mesh.cluster.ClusterStatusJson;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.NodeId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code /v1/cluster*} and {@code /v1/ticket} over a {@link ClusterAdmin}. */
final class ClusterRoutes {
    private final ClusterAdmin admin;

    ClusterRoutes(ClusterAdmin admin) {
        this.admin = admin;
    }

    void register(Router router) {
        router.add("GET", "/v1/cluster", this::status)
                .add("POST", "/v1/cluster/learners", this::addLearner)
                .add("POST", "/v1/cluster/voters", this::promote)
                .add("DELETE", "/v1/cluster/members/{}", this::remove)
                .add("POST", "/v1/cluster/leader", this::transfer)
                .add("POST", "/v1/cluster/snapshot", this::snapshot)
                .add("GET", "/v1/ticket", this::ticket);
    }

    private static Reply statusReply(ClusterStatus status) {
        return Reply.ok(ClusterStatusJson.toJson(status));
    }

    private Reply status(Call call) throws Exception {
        call.allowOnly();
        return statusReply(call.await(admin.status()));
    }

    /** {@code {"node_id", "addresses": ["host:port", ...]}}; no addresses: take them from discovery. */
    private Reply addLearner(Call call) throws Exception {
        call.allowOnly();
        JsonNode body = call.jsonObject();
        NodeId node = Json.nodeId(Json.required(body, "node_id", ""), "node_id");
        List<InetSocketAddress> addresses = new ArrayList<>();
        Optional<JsonNode> given = Json.optional(body, "addresses");
        if (given.isPresent()) {
            if (!given.get().isArray()) {
                throw ApiException.invalid("field 'addresses' must be an array of \"host:port\" strings");
            }
            for (int i = 0; i < given.get().size(); i++) {
                addresses.add(Json.address(given.get().get(i), "addresses[" + i + "]"));
            }
        }
        return statusReply(call.await(admin.addLearner(node, addresses)));
    }

    private Reply promote(Call call) throws Exception {
        call.allowOnly();
        NodeId node = Json.nodeId(Json.required(call.jsonObject(), "node_id", ""), "node_id");
        return statusReply(call.await(admin.promote(node)));
    }

    private Reply remove(Call call) throws Exception {
        call.allowOnly();
        return statusReply(call.await(admin.remove(pathNodeId(call))));
    }

    /** Body {@code {"node_id"}}, or empty / {@code {}} for the most caught-up other voter. */
    private Reply transfer(Call call) throws Exception {
        call.allowOnly();
        JsonNode body = call.json();
        Optional<NodeId> to = body == null
                ? Optional.empty()
                : Json.optional(Json.requireObject(body, ""), "node_id").map(v -> Json.nodeId(v, "node_id"));
        return statusReply(call.await(admin.transferLeadership(to)));
    }

    private Reply snapshot(Call call) throws Exception {
        call.allowOnly();
        return Reply.ok(Json.object().put("snapshot_index", call.await(admin.snapshot())));
    }

    /** {@code ?join=true}: the join ticket, which carries the join secret (secret like the cookie). */
    private Reply ticket(Call call) {
        call.allowOnly("join");
        return Reply.ok(ticketJson(call.flag("join") ? admin.joinTicket() : admin.ticket()));
    }

    /** {@code {"ticket", "cluster_id"}}. */
    static ObjectNode ticketJson(ClusterTicket ticket) {
        return Json.object()
                .put("ticket", ticket.toString())
                .put("cluster_id", ticket.clusterId().toString());
    }

    private static NodeId pathNodeId(Call call) {
        String text = call.pathText(0, "node id");
        try {
            return NodeId.parse(text);
        } catch (FormatException e) {
            throw ApiException.invalid("node id in the path: " + e.getMessage());
        }
    }
}
