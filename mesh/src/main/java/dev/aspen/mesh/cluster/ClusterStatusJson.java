package dev.aspen.mesh.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aspen.tickets.ClusterId;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one JSON form of a {@link ClusterStatus}, shared by {@code GET /v1/cluster}, the admin
 * protocol and {@code aspen cluster status --json}. Field names are snake_case; absent optionals
 * are {@code null}; instants are ISO-8601; addresses are {@code host:port}.
 *
 * <pre>
 * {"cluster_id", "node_id", "role", "leader", "term", "commit_index", "applied_index",
 *  "members_index", "initial_members": [id...],
 *  "members": [{"node_id", "role": "voter"|"learner", "quic_address", "http_address",
 *               "health": "self"|"alive"|"suspect"|"dead", "dead_since", "match_index", "lag"}],
 *  "autopilot": {"active", "target_voters", "dead_voter_grace_ms",
 *                "decisions": [{"at", "action", "node_id", "reason", "outcome"}]}}
 * </pre>
 */
public final class ClusterStatusJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClusterStatusJson() {}

    public static ObjectNode toJson(ClusterStatus status) {
        ObjectNode out = JSON.createObjectNode();
        out.put("cluster_id", status.clusterId().toString());
        out.put("node_id", status.self().toString());
        out.put("role", status.selfRole());
        out.put("leader", status.leader().map(NodeId::toString).orElse(null));
        out.put("term", status.term());
        out.put("commit_index", status.commitIndex());
        out.put("applied_index", status.appliedIndex());
        out.put("members_index", status.membersIndex());
        ArrayNode initial = out.putArray("initial_members");
        status.initialMembers().forEach(id -> initial.add(id.toString()));
        ArrayNode members = out.putArray("members");
        for (ClusterStatus.Member member : status.members()) {
            ObjectNode m = members.addObject();
            m.put("node_id", member.nodeId().toString());
            m.put("role", member.voter() ? "voter" : "learner");
            m.put(
                    "quic_address",
                    member.quicAddress().map(SocketAddresses::format).orElse(null));
            m.put(
                    "http_address",
                    member.httpAddress().map(SocketAddresses::format).orElse(null));
            m.put("health", member.health().name().toLowerCase(Locale.ROOT));
            m.put("dead_since", member.deadSince().map(Instant::toString).orElse(null));
            m.put("match_index", member.matchIndex().orElse(null));
            m.put("lag", member.lag().orElse(null));
        }
        ClusterStatus.Autopilot autopilot = status.autopilot();
        ObjectNode a = out.putObject("autopilot");
        a.put("active", autopilot.active());
        a.put("target_voters", autopilot.targetVoters());
        a.put("dead_voter_grace_ms", autopilot.deadVoterGrace().toMillis());
        ArrayNode decisions = a.putArray("decisions");
        for (ClusterStatus.Decision decision : autopilot.decisions()) {
            decisions
                    .addObject()
                    .put("at", decision.at().toString())
                    .put("action", decision.action())
                    .put("node_id", decision.node().toString())
                    .put("reason", decision.reason())
                    .put("outcome", decision.outcome());
        }
        return out;
    }

    /**
     * Reads what {@link #toJson} wrote.
     *
     * @throws FormatException naming the missing or malformed field
     */
    public static ClusterStatus fromJson(JsonNode in) {
        List<NodeId> initial = new ArrayList<>();
        for (JsonNode id : array(in, "initial_members")) {
            initial.add(nodeId(id, "initial_members[]"));
        }
        List<ClusterStatus.Member> members = new ArrayList<>();
        for (JsonNode m : array(in, "members")) {
            members.add(new ClusterStatus.Member(
                    nodeId(field(m, "node_id"), "members[].node_id"),
                    "voter".equals(text(m, "role")),
                    optionalText(m, "quic_address").map(SocketAddresses::parse),
                    optionalText(m, "http_address").map(SocketAddresses::parse),
                    health(text(m, "health")),
                    optionalText(m, "dead_since").map(ClusterStatusJson::instant),
                    optionalLong(m, "match_index"),
                    optionalLong(m, "lag")));
        }
        JsonNode a = field(in, "autopilot");
        List<ClusterStatus.Decision> decisions = new ArrayList<>();
        for (JsonNode d : array(a, "decisions")) {
            decisions.add(new ClusterStatus.Decision(
                    instant(text(d, "at")),
                    text(d, "action"),
                    nodeId(field(d, "node_id"), "decisions[].node_id"),
                    text(d, "reason"),
                    text(d, "outcome")));
        }
        return new ClusterStatus(
                ClusterId.parse(text(in, "cluster_id")),
                nodeId(field(in, "node_id"), "node_id"),
                text(in, "role"),
                optionalText(in, "leader").map(NodeId::parse),
                (int) number(in, "term"),
                number(in, "commit_index"),
                number(in, "applied_index"),
                number(in, "members_index"),
                initial,
                members,
                new ClusterStatus.Autopilot(
                        field(a, "active").asBoolean(),
                        (int) number(a, "target_voters"),
                        Duration.ofMillis(number(a, "dead_voter_grace_ms")),
                        decisions));
    }

    private static JsonNode field(JsonNode in, String name) {
        JsonNode value = in == null ? null : in.get(name);
        if (value == null || value.isNull()) {
            throw new FormatException("cluster status has no field '" + name + "'");
        }
        return value;
    }

    private static Iterable<JsonNode> array(JsonNode in, String name) {
        JsonNode value = field(in, name);
        if (!value.isArray()) {
            throw new FormatException("cluster status field '" + name + "' is not an array");
        }
        return value;
    }

    private static String text(JsonNode in, String name) {
        JsonNode value = field(in, name);
        if (!value.isTextual()) {
            throw new FormatException("cluster status field '" + name + "' is not a string");
        }
        return value.asText();
    }

    private static long number(JsonNode in, String name) {
        JsonNode value = field(in, name);
        if (!value.canConvertToLong()) {
            throw new FormatException("cluster status field '" + name + "' is not an integer");
        }
        return value.asLong();
    }

    private static Optional<String> optionalText(JsonNode in, String name) {
        JsonNode value = in.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(text(in, name));
    }

    private static Optional<Long> optionalLong(JsonNode in, String name) {
        JsonNode value = in.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(number(in, name));
    }

    private static NodeId nodeId(JsonNode value, String name) {
        if (!value.isTextual()) {
            throw new FormatException("cluster status field '" + name + "' is not a node id");
        }
        return NodeId.parse(value.asText());
    }

    private static ClusterStatus.Health health(String text) {
        try {
            return ClusterStatus.Health.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new FormatException("cluster status has unknown health '" + text + "'");
        }
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new FormatException("cluster status has a bad time '" + text + "'");
        }
    }
}
