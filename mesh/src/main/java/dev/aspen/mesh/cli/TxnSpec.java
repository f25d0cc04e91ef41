package dev.aspen.mesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aspen.kv.Compare;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.TxnOp;
import dev.aspen.tickets.FormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A transaction as {@code aspen kv txn} reads it, from compact arguments or from JSON. Keys and
 * values are UTF-8 text.
 *
 * <pre>
 * compare  TARGET(KEY)OP OPERAND    TARGET: value | version | create | mod | lease
 *                                   OP: = | != | &lt; | &gt;; the operand is text for value, an integer else
 * op       put(KEY)=VALUE | get(KEY) | del(KEY) | delprefix(PREFIX) | scan(PREFIX)
 * JSON     {"compare": [{"target", "key", "op", "value" (text, for value) | "number"}],
 *           "success": [{"op", "key", "value" (put only)}], "failure": [...]}
 * </pre>
 *
 * A compact key ends at the first ')' followed by an operator (or, for operations, at the last
 * ')'); keys that cannot be written that way go in JSON.
 */
record TxnSpec(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) {
    private static final Pattern COMPARE = Pattern.compile("(\\w+)\\((.*?)\\)(!=|=|<|>)(.*)", Pattern.DOTALL);
    private static final Pattern PUT = Pattern.compile("put\\((.*?)\\)=(.*)", Pattern.DOTALL);
    private static final Pattern KEY_OP = Pattern.compile("(\\w+)\\((.*)\\)", Pattern.DOTALL);

    TxnSpec {
        compares = List.copyOf(compares);
        success = List.copyOf(success);
        failure = List.copyOf(failure);
        if (compares.isEmpty() && success.isEmpty() && failure.isEmpty()) {
            throw new FormatException("the transaction is empty: give --if, --then or --else, or --file");
        }
    }

    /** Parses the compact forms; throws {@link FormatException} quoting the bad item. */
    static TxnSpec parse(List<String> compares, List<String> success, List<String> failure) {
        return new TxnSpec(
                compares.stream().map(TxnSpec::compare).toList(),
                success.stream().map(TxnSpec::op).toList(),
                failure.stream().map(TxnSpec::op).toList());
    }

    /** Reads the JSON form; throws {@link FormatException} naming the bad field. */
    static TxnSpec fromJson(JsonNode in) {
        if (in == null || !in.isObject()) {
            throw new FormatException("the transaction must be a JSON object with compare, success and failure");
        }
        var compares = new ArrayList<Compare>();
        for (JsonNode c : array(in, "compare")) {
            String target = field(c, "target", "compare");
            String op = field(c, "op", "compare");
            String key = field(c, "key", "compare");
            String operand = "value".equals(target)
                    ? field(c, "value", "compare")
                    : c.path("number").asText("");
            compares.add(compare(target, key, op, operand));
        }
        return new TxnSpec(compares, ops(in, "success"), ops(in, "failure"));
    }

    private static List<TxnOp> ops(JsonNode in, String branch) {
        var ops = new ArrayList<TxnOp>();
        for (JsonNode o : array(in, branch)) {
            String name = field(o, "op", branch);
            String key = field(o, "key", branch);
            ops.add("put".equals(name) ? put(key, field(o, "value", branch)) : keyOp(name, key));
        }
        return ops;
    }

    static Compare compare(String text) {
        Matcher m = COMPARE.matcher(text);
        if (!m.matches()) {
            throw new FormatException(
                    "compare '" + text + "' must look like TARGET(KEY)OP OPERAND, e.g. version(k)=0 or value(k)!=x");
        }
        return compare(m.group(1), m.group(2), m.group(3), m.group(4));
    }

    private static Compare compare(String target, String key, String op, String operand) {
        Compare.Op compareOp =
                switch (op) {
                    case "=" -> Compare.Op.EQUAL;
                    case "!=" -> Compare.Op.NOT_EQUAL;
                    case "<" -> Compare.Op.LESS;
                    case ">" -> Compare.Op.GREATER;
                    default -> throw new FormatException("compare operator '" + op + "' must be =, !=, < or >");
                };
        byte[] k = key(key);
        if ("value".equals(target)) {
            return Compare.value(k, compareOp, operand.getBytes(StandardCharsets.UTF_8));
        }
        Compare.Target numeric =
                switch (target) {
                    case "version" -> Compare.Target.VERSION;
                    case "create" -> Compare.Target.CREATE_REVISION;
                    case "mod" -> Compare.Target.MOD_REVISION;
                    case "lease" -> Compare.Target.LEASE;
                    default ->
                        throw new FormatException(
                                "compare target '" + target + "' must be value, version, create, mod or lease");
                };
        try {
            return Compare.number(k, numeric, compareOp, Long.parseLong(operand.strip()));
        } catch (NumberFormatException e) {
            throw new FormatException("compare " + target + "(" + key + ") needs an integer, got '" + operand + "'");
        }
    }

    static TxnOp op(String text) {
        Matcher put = PUT.matcher(text);
        if (put.matches()) {
            return put(put.group(1), put.group(2));
        }
        Matcher m = KEY_OP.matcher(text);
        if (!m.matches()) {
            throw new FormatException("operation '" + text
                    + "' must be put(KEY)=VALUE, get(KEY), del(KEY), delprefix(PREFIX) or scan(PREFIX)");
        }
        return keyOp(m.group(1), m.group(2));
    }

    private static TxnOp put(String key, String value) {
        return new TxnOp.Put(key(key), value.getBytes(StandardCharsets.UTF_8), 0, false);
    }

    private static TxnOp keyOp(String name, String key) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "get" -> new TxnOp.Get(key(key));
            case "del" -> new TxnOp.Delete(KeyRange.key(key(key)), false);
            case "delprefix" -> new TxnOp.Delete(KeyRange.prefix(key.getBytes(StandardCharsets.UTF_8)), false);
            case "scan" -> new TxnOp.Scan(KeyRange.prefix(key.getBytes(StandardCharsets.UTF_8)), 0, false);
            default ->
                throw new FormatException(
                        "operation '" + name + "' must be put, get, del, delprefix or scan (put needs =VALUE)");
        };
    }

    private static byte[] key(String key) {
        if (key.isEmpty()) {
            throw new FormatException("a transaction key must not be empty");
        }
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private static Iterable<JsonNode> array(JsonNode in, String name) {
        JsonNode value = in.get(name);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new FormatException("transaction field '" + name + "' must be an array");
        }
        return value;
    }

    private static String field(JsonNode item, String name, String where) {
        JsonNode value = item.get(name);
        if (value == null || !value.isTextual()) {
            throw new FormatException("each item of '" + where + "' needs a text field '" + name + "'");
        }
        return value.asText();
    }
}
