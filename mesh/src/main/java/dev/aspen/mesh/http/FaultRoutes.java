package dev.aspen.mesh.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aspen.mesh.quic.LinkFaults;
import dev.aspen.tickets.SocketAddresses;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code /v1/debug/faults}: the node's QUIC fault switch ({@link LinkFaults}), for tests. Without
 * one (the node was not started with {@code --fault-injection}) every method answers 404.
 */
final class FaultRoutes {
    static final String OFF = "fault injection is off: start the node with --fault-injection (for tests only)";
    private static final String PATH = "/v1/debug/faults";

    private final Optional<LinkFaults> faults;

    FaultRoutes(Optional<LinkFaults> faults) {
        this.faults = faults;
    }

    void register(Router router) {
        router.add("GET", PATH, this::show).add("POST", PATH, this::change).add("DELETE", PATH, this::healAll);
    }

    private Reply show(Call call) {
        call.allowOnly();
        return state(faults());
    }

    /** {@code {"block": ["host:port", ...], "heal": [...]}}: heals, then blocks; all checked first. */
    private Reply change(Call call) throws Exception {
        call.allowOnly();
        LinkFaults links = faults();
        JsonNode body = call.jsonObject();
        if (!body.has("heal") && !body.has("block")) {
            throw ApiException.invalid("request body needs 'block' or 'heal': an array of \"host:port\" strings");
        }
        List<InetSocketAddress> heal = addresses(body, "heal");
        List<InetSocketAddress> block = addresses(body, "block");
        heal.forEach(links::heal);
        try {
            block.forEach(links::block);
        } catch (IllegalStateException e) {
            throw ApiException.of(412, "failed_precondition", e.getMessage());
        }
        return state(links);
    }

    private Reply healAll(Call call) {
        call.allowOnly();
        LinkFaults links = faults();
        links.healAll();
        return state(links);
    }

    private LinkFaults faults() {
        return faults.orElseThrow(() -> ApiException.notFound(OFF));
    }

    /** The field {@code name}: absent is none; else an array of at most {@link LinkFaults#MAX_BLOCKED} addresses. */
    private static List<InetSocketAddress> addresses(JsonNode body, String name) {
        JsonNode given = body.get(name);
        if (given == null) {
            return List.of();
        }
        if (!given.isArray()) {
            throw ApiException.invalid("field '" + name + "' must be an array of \"host:port\" strings");
        }
        if (given.size() > LinkFaults.MAX_BLOCKED) {
            throw ApiException.invalid(
                    "field '" + name + "' has " + given.size() + " addresses; at most " + LinkFaults.MAX_BLOCKED);
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            InetSocketAddress address = Json.address(given.get(i), name + "[" + i + "]");
            if (address.getAddress().isAnyLocalAddress()) {
                throw ApiException.invalid("field '" + name + "[" + i + "]': a wildcard address cannot be blocked");
            }
            out.add(address);
        }
        return out;
    }

    private static Reply state(LinkFaults faults) {
        ObjectNode out = Json.object();
        var blocked = out.putArray("blocked");
        faults.blocked().forEach(address -> blocked.add(SocketAddresses.format(address)));
        out.put("dropped", faults.dropped());
        return Reply.ok(out);
    }
}
