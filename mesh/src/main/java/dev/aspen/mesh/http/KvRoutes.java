package dev.aspen.mesh.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aspen.kv.DeleteResponse;
import dev.aspen.kv.GetResponse;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValue;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvLimits;
import dev.aspen.kv.LeaseResponse;
import dev.aspen.kv.LeaseRevokeResponse;
import dev.aspen.kv.LeaseTimeToLiveResponse;
import dev.aspen.kv.PutResponse;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.ScanResponse;
import dev.aspen.kv.TxnResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code /v1/kv}, {@code /v1/txn} and {@code /v1/lease}: the key/value API over a {@link KeyValueStore}. */
final class KvRoutes {
    private static final byte[] EMPTY = new byte[0];

    private final KeyValueStore kv;

    KvRoutes(KeyValueStore kv) {
        this.kv = kv;
    }

    void register(Router router) {
        router.add("PUT", "/v1/kv/**", this::put)
                .add("GET", "/v1/kv/**", this::get)
                .add("DELETE", "/v1/kv/**", this::delete)
                .add("GET", "/v1/kv", this::list)
                .add("POST", "/v1/txn", this::txn)
                .add("POST", "/v1/lease", this::grant)
                .add("POST", "/v1/lease/{}/keepalive", this::keepAlive)
                .add("GET", "/v1/lease/{}", this::timeToLive)
                .add("DELETE", "/v1/lease/{}", this::revoke);
    }

    private static byte[] key(Call call) {
        byte[] key = call.pathBytes(0, "key");
        if (key.length == 0) {
            throw ApiException.invalid("key is missing: give it after /v1/kv/");
        }
        return key;
    }

    private Reply put(Call call) throws Exception {
        call.allowOnly("lease", "prev");
        byte[] key = key(call);
        long lease = call.number("lease", 0, Long.MAX_VALUE, 0);
        boolean prev = call.flag("prev");
        PutResponse response = call.await(kv.put(key, call.body(), lease, prev));
        ObjectNode out = Json.object().put("revision", response.revision());
        if (prev) {
            out.set("prev_kv", Json.kvOrNull(response.prevKv()));
        }
        return Reply.ok(out);
    }

    private Reply get(Call call) throws Exception {
        call.allowOnly("raw", "consistency");
        byte[] key = key(call);
        GetResponse response = call.await(kv.get(key, consistency(call)));
        KeyValue found = response.kv()
                .orElseThrow(() -> ApiException.notFound("key '" + new String(key, UTF_8) + "' does not exist"));
        if (call.flag("raw")) {
            return new Reply(
                    200,
                    "application/octet-stream",
                    found.value(),
                    Map.of(
                            "X-Aspen-Revision", Long.toString(response.revision()),
                            "X-Aspen-Mod-Revision", Long.toString(found.modRevision())));
        }
        return Reply.ok(Json.kv(found, true).put("revision", response.revision()));
    }

    private Reply delete(Call call) throws Exception {
        call.allowOnly("prefix");
        byte[] key = key(call);
        KeyRange range = call.flag("prefix") ? KeyRange.prefix(key) : KeyRange.key(key);
        DeleteResponse response = call.await(kv.delete(range, false));
        return Reply.ok(Json.object().put("deleted", response.deleted()).put("revision", response.revision()));
    }

    private Reply list(Call call) throws Exception {
        call.allowOnly("prefix", "start", "end", "limit", "keys_only", "consistency");
        KeyRange range = scanRange(call.bytes("prefix"), call.bytes("start"), call.bytes("end"), "parameters");
        int limit = (int) call.number("limit", 1, KvLimits.MAX_SCAN_LIMIT, 0);
        boolean keysOnly = call.flag("keys_only");
        ScanResponse response = call.await(kv.scan(range, limit, keysOnly, consistency(call)));
        return Reply.ok(scanJson(response, keysOnly));
    }

    private Reply txn(Call call) throws Exception {
        TxnJson.Request request = TxnJson.parse(call.jsonObject());
        TxnResponse response = call.await(kv.txn(request.compares(), request.success(), request.failure()));
        return Reply.ok(TxnJson.toJson(response, request));
    }

    private Reply grant(Call call) throws Exception {
        call.allowOnly();
        long ttl = Json.integer(call.jsonObject(), "ttl", "");
        return Reply.ok(leaseJson(call.await(kv.leaseGrant(ttl))));
    }

    private Reply keepAlive(Call call) throws Exception {
        call.allowOnly();
        return Reply.ok(leaseJson(call.await(kv.leaseKeepAlive(leaseId(call)))));
    }

    private Reply timeToLive(Call call) throws Exception {
        call.allowOnly("consistency");
        LeaseTimeToLiveResponse response = call.await(kv.leaseTimeToLive(leaseId(call), consistency(call)));
        ObjectNode out = Json.object()
                .put("id", response.id())
                .put("granted_ttl", response.grantedTtlSeconds())
                .put("remaining_ms", response.remainingMillis());
        ArrayNode keys = out.putArray("keys");
        response.keys().forEach(k -> keys.add(new String(k, UTF_8)));
        return Reply.ok(out.put("revision", response.revision()));
    }

    private Reply revoke(Call call) throws Exception {
        call.allowOnly();
        LeaseRevokeResponse response = call.await(kv.leaseRevoke(leaseId(call)));
        return Reply.ok(
                Json.object().put("deleted_keys", response.deletedKeys()).put("revision", response.revision()));
    }

    private static long leaseId(Call call) {
        return Call.parseNumber(call.pathText(0, "lease id"), 1, Long.MAX_VALUE, "lease id in the path");
    }

    private static ObjectNode leaseJson(LeaseResponse response) {
        return Json.object()
                .put("id", response.id())
                .put("ttl", response.ttlSeconds())
                .put("revision", response.revision());
    }

    static ReadConsistency consistency(Call call) {
        return call.text("consistency")
                .map(mode -> switch (mode) {
                    case "linearizable" -> ReadConsistency.LINEARIZABLE;
                    case "lease" -> ReadConsistency.LEASE;
                    case "stale" -> ReadConsistency.stale();
                    default ->
                        throw ApiException.invalid(
                                "parameter 'consistency' must be linearizable, lease or stale, got '" + mode + "'");
                })
                .orElse(ReadConsistency.LINEARIZABLE);
    }

    /**
     * A prefix, or {@code [start, end)} (either bound may be missing), or every key when neither is
     * given; {@code where} names the source in the error for giving both.
     */
    static KeyRange scanRange(Optional<byte[]> prefix, Optional<byte[]> start, Optional<byte[]> end, String where) {
        if (prefix.isPresent() && (start.isPresent() || end.isPresent())) {
            throw ApiException.invalid(where + ": give either 'prefix' or 'start'/'end', not both");
        }
        if (prefix.isPresent()) {
            return KeyRange.prefix(prefix.get());
        }
        if (start.isEmpty() && end.isEmpty()) {
            return KeyRange.prefix(EMPTY);
        }
        return KeyRange.between(start.orElse(EMPTY), end.orElse(EMPTY));
    }

    /** {@code {"kvs":[...],"count","more","revision"}}. */
    static ObjectNode scanJson(ScanResponse response, boolean keysOnly) {
        ObjectNode out = Json.object();
        ArrayNode kvs = out.putArray("kvs");
        List<KeyValue> found = response.kvs();
        found.forEach(kv -> kvs.add(Json.kv(kv, !keysOnly)));
        return out.put("count", found.size()).put("more", response.more()).put("revision", response.revision());
    }

    /** Reads a JSON field holding a key as text, as {@link #scanRange} input. */
    static Optional<byte[]> keyField(JsonNode object, String name, String parent) {
        return Json.optionalText(object, name, parent).map(text -> text.getBytes(UTF_8));
    }
}
