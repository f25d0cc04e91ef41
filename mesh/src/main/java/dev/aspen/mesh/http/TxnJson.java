package dev.aspen.mesh.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aspen.kv.Compare;
import dev.aspen.kv.DeleteResponse;
import dev.aspen.kv.GetResponse;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KvLimits;
import dev.aspen.kv.OpResult;
import dev.aspen.kv.PutResponse;
import dev.aspen.kv.ScanResponse;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.TxnResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The JSON of {@code POST /v1/txn}. Keys are UTF-8 text, values base64.
 *
 * <pre>
 * {"compare": [{"key", "target": "value"|"version"|"create_revision"|"mod_revision"|"lease",
 *               "result": "equal"|"not_equal"|"greater"|"less",
 *               "&lt;target&gt;": operand (base64 for value, an integer otherwise)}],
 *  "success": [op...], "failure": [op...]}
 * op: {"put": {"key", "value", "lease"?, "prev_kv"?}} | {"get": {"key"}}
 *   | {"delete": {"key"} | {"prefix"} | {"start", "end"?}} | {"scan": {"prefix"?|"start"?,"end"?, "limit"?, "keys_only"?}}
 * answer: {"succeeded", "revision", "responses": [{"put": {"revision", "prev_kv"?}} | {"get": {"revision", "kv"}}
 *          | {"delete": {"revision", "deleted"}} | {"scan": {"kvs", "count", "more", "revision"}}]}
 * </pre>
 */
final class TxnJson {
    /** A parsed transaction. */
    record Request(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) {}

    private TxnJson() {}

    static Request parse(JsonNode body) {
        List<Compare> compares = new ArrayList<>();
        List<JsonNode> items = array(body, "compare");
        for (int i = 0; i < items.size(); i++) {
            compares.add(compare(items.get(i), "compare[" + i + "]"));
        }
        return new Request(compares, ops(body, "success"), ops(body, "failure"));
    }

    private static List<JsonNode> array(JsonNode body, String name) {
        JsonNode value = Json.optional(body, name).orElse(null);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            throw ApiException.invalid("field '" + name + "' must be an array");
        }
        if (value.size() > KvLimits.MAX_TXN_OPS) {
            throw ApiException.tooLarge("field '" + name + "' has " + value.size() + " entries; at most "
                    + KvLimits.MAX_TXN_OPS + " are allowed");
        }
        List<JsonNode> out = new ArrayList<>();
        value.forEach(out::add);
        return out;
    }

    private static Compare compare(JsonNode item, String path) {
        Json.requireObject(item, path);
        byte[] key = Json.key(item, "key", path);
        String targetName = Json.text(item, "target", path);
        Compare.Target target = enumValue(
                Compare.Target.class,
                targetName,
                Json.path(path, "target"),
                "value, version, create_revision, mod_revision or lease");
        Compare.Op op = enumValue(
                Compare.Op.class,
                Json.text(item, "result", path),
                Json.path(path, "result"),
                "equal, not_equal, greater or less");
        if (target == Compare.Target.VALUE) {
            return Compare.value(key, op, Json.base64(item, "value", path));
        }
        return Compare.number(key, target, op, Json.integer(item, targetName, path));
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String text, String path, String allowed) {
        for (E value : type.getEnumConstants()) {
            if (value.name().toLowerCase(Locale.ROOT).equals(text)) {
                return value;
            }
        }
        throw ApiException.invalid("field '" + path + "' must be " + allowed + ", got '" + text + "'");
    }

    private static List<TxnOp> ops(JsonNode body, String branch) {
        List<TxnOp> ops = new ArrayList<>();
        List<JsonNode> items = array(body, branch);
        for (int i = 0; i < items.size(); i++) {
            ops.add(op(items.get(i), branch + "[" + i + "]"));
        }
        return ops;
    }

    private static TxnOp op(JsonNode item, String path) {
        Json.requireObject(item, path);
        if (item.size() != 1) {
            throw ApiException.invalid("field '" + path + "' must have exactly one of 'put', 'get', 'delete', 'scan'");
        }
        String kind = item.fieldNames().next();
        String at = Json.path(path, kind);
        JsonNode args = Json.requireObject(item.get(kind), at);
        return switch (kind) {
            case "put" ->
                new TxnOp.Put(
                        Json.key(args, "key", at),
                        Json.base64(args, "value", at),
                        Json.integer(args, "lease", at, 0),
                        Json.bool(args, "prev_kv", at, false));
            case "get" -> new TxnOp.Get(Json.key(args, "key", at));
            case "delete" -> new TxnOp.Delete(deleteRange(args, at), false);
            case "scan" ->
                new TxnOp.Scan(
                        KvRoutes.scanRange(
                                KvRoutes.keyField(args, "prefix", at),
                                KvRoutes.keyField(args, "start", at),
                                KvRoutes.keyField(args, "end", at),
                                "field '" + at + "'"),
                        (int) limit(args, at),
                        Json.bool(args, "keys_only", at, false));
            default ->
                throw ApiException.invalid(
                        "field '" + path + "' has unknown operation '" + kind + "'; expected put, get, delete or scan");
        };
    }

    private static long limit(JsonNode args, String at) {
        long limit = Json.integer(args, "limit", at, 0);
        if (limit < 0 || limit > KvLimits.MAX_SCAN_LIMIT) {
            throw ApiException.invalid("field '" + Json.path(at, "limit") + "' must be between 0 and "
                    + KvLimits.MAX_SCAN_LIMIT + ", got " + limit);
        }
        return limit;
    }

    private static KeyRange deleteRange(JsonNode args, String at) {
        if (args.has("key")) {
            if (args.has("prefix") || args.has("start") || args.has("end")) {
                throw ApiException.invalid("field '" + at + "': give 'key', 'prefix' or 'start'/'end', not several");
            }
            return KeyRange.key(Json.key(args, "key", at));
        }
        if (!args.has("prefix") && !args.has("start")) {
            throw ApiException.invalid("field '" + at + "' needs 'key', 'prefix' or 'start'");
        }
        return KvRoutes.scanRange(
                KvRoutes.keyField(args, "prefix", at),
                KvRoutes.keyField(args, "start", at),
                KvRoutes.keyField(args, "end", at),
                "field '" + at + "'");
    }

    static ObjectNode toJson(TxnResponse response, Request request) {
        List<TxnOp> branch = response.succeeded() ? request.success() : request.failure();
        ObjectNode out = Json.object().put("succeeded", response.succeeded()).put("revision", response.revision());
        ArrayNode responses = out.putArray("responses");
        for (int i = 0; i < response.results().size(); i++) {
            responses.add(result(response.results().get(i), branch.get(i)));
        }
        return out;
    }

    private static ObjectNode result(OpResult result, TxnOp op) {
        ObjectNode out = Json.object();
        if (result instanceof PutResponse put) {
            ObjectNode r = out.putObject("put").put("revision", put.revision());
            if (((TxnOp.Put) op).prevKv()) {
                r.set("prev_kv", Json.kvOrNull(put.prevKv()));
            }
        } else if (result instanceof GetResponse get) {
            out.putObject("get").put("revision", get.revision()).set("kv", Json.kvOrNull(get.kv()));
        } else if (result instanceof DeleteResponse delete) {
            out.putObject("delete").put("revision", delete.revision()).put("deleted", delete.deleted());
        } else if (result instanceof ScanResponse scan) {
            out.set("scan", KvRoutes.scanJson(scan, ((TxnOp.Scan) op).keysOnly()));
        } else {
            throw new IllegalStateException("unknown transaction result " + result);
        }
        return out;
    }
}
