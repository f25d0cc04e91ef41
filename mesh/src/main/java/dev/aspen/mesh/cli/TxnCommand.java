package dev.aspen.mesh.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.aspen.kv.DeleteResponse;
import dev.aspen.kv.GetResponse;
import dev.aspen.kv.OpResult;
import dev.aspen.kv.PutResponse;
import dev.aspen.kv.ScanResponse;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.TxnResponse;
import dev.aspen.mesh.client.AspenClient;
import dev.aspen.tickets.FormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aspen kv txn}: compare-and-set and multi-key transactions. */
@Command(
        name = "txn",
        mixinStandardHelpOptions = true,
        description = {
            "Run a transaction: if every --if holds, the --then operations, else the --else operations,"
                    + " atomically at one revision. Exits 0 either way; the output (and --json 'succeeded')"
                    + " says which branch ran.",
            "",
            "COMPARE is TARGET(KEY)OP OPERAND: TARGET is value, version, create (revision), mod (revision)"
                    + " or lease; OP is =, !=, < or >; the operand is text for value, an integer otherwise."
                    + " A missing key has version, create, mod and lease 0.",
            "OP is put(KEY)=VALUE, get(KEY), del(KEY), delprefix(PREFIX) or scan(PREFIX).",
            "",
            "Example (create k only if it does not exist):",
            "  aspen kv txn --if 'version(k)=0' --then 'put(k)=v1' --else 'get(k)'",
            "",
            "--file takes the same as JSON (for keys with ')' or many items; '-' reads stdin):",
            "  {\"compare\": [{\"target\": \"version\", \"key\": \"k\", \"op\": \"=\", \"number\": 0}],",
            "   \"success\": [{\"op\": \"put\", \"key\": \"k\", \"value\": \"v1\"}],",
            "   \"failure\": [{\"op\": \"get\", \"key\": \"k\"}]}",
            ""
        })
final class TxnCommand extends RemoteCommand.Kv {
    /** Largest transaction file read. */
    static final int MAX_FILE_BYTES = 1024 * 1024;

    @Option(names = "--if", paramLabel = "COMPARE", description = "A condition (repeatable).")
    List<String> compares = new ArrayList<>();

    @Option(names = "--then", paramLabel = "OP", description = "Run when every condition holds (repeatable).")
    List<String> success = new ArrayList<>();

    @Option(names = "--else", paramLabel = "OP", description = "Run otherwise (repeatable).")
    List<String> failure = new ArrayList<>();

    @Option(names = "--file", paramLabel = "FILE", description = "Read the transaction as JSON from FILE ('-': stdin).")
    String file;

    private TxnSpec txn;

    @Override
    void prepare() throws IOException {
        if (file == null) {
            txn = TxnSpec.parse(compares, success, failure);
            return;
        }
        if (!compares.isEmpty() || !success.isEmpty() || !failure.isEmpty()) {
            throw new FormatException("give the transaction either as --if/--then/--else or as --file, not both");
        }
        byte[] bytes = read(file);
        try {
            txn = TxnSpec.fromJson(JSON.readTree(bytes));
        } catch (JsonProcessingException e) {
            throw new FormatException(file + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static byte[] read(String file) throws IOException {
        byte[] bytes;
        if ("-".equals(file)) {
            bytes = System.in.readNBytes(MAX_FILE_BYTES + 1);
        } else {
            if (!Files.isRegularFile(Path.of(file))) {
                throw new FormatException("transaction file " + file + " does not exist");
            }
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            }
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new FormatException("transaction file " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
        }
        return bytes;
    }

    @Override
    Object perform(AspenClient client) {
        TxnResponse response =
                client.txn(txn.compares(), txn.success(), txn.failure()).join();
        List<TxnOp> ran = response.succeeded() ? txn.success() : txn.failure();
        if (cluster.json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("succeeded", response.succeeded());
            fields.put("revision", response.revision());
            fields.put(
                    "responses",
                    response.results().stream().map(TxnCommand::resultFields).toList());
            return toJson(fields);
        }
        var lines = new ArrayList<String>();
        lines.add((response.succeeded() ? "succeeded" : "compare failed, ran --else") + " (revision "
                + response.revision() + ")");
        for (int i = 0; i < response.results().size(); i++) {
            lines.add(describe(ran.get(i), response.results().get(i)));
        }
        return String.join("\n", lines);
    }

    private static Map<String, Object> resultFields(OpResult result) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (result instanceof PutResponse) {
            fields.put("op", "put");
        } else if (result instanceof GetResponse get) {
            fields.put("op", "get");
            fields.put("kv", get.kv().map(RemoteCommand::kvFields).orElse(null));
        } else if (result instanceof DeleteResponse delete) {
            fields.put("op", "del");
            fields.put("deleted", delete.deleted());
        } else if (result instanceof ScanResponse scan) {
            fields.put("op", "scan");
            fields.put("kvs", scan.kvs().stream().map(RemoteCommand::kvFields).toList());
            fields.put("more", scan.more());
        }
        fields.put("revision", result.revision());
        return fields;
    }

    private static String describe(TxnOp op, OpResult result) {
        if (op instanceof TxnOp.Put put && result instanceof PutResponse) {
            return "put " + text(put.key()) + ": OK";
        } else if (op instanceof TxnOp.Get get && result instanceof GetResponse response) {
            return "get " + text(get.key()) + ": "
                    + response.kv().map(kv -> text(kv.value())).orElse("(absent)");
        } else if (op instanceof TxnOp.Delete delete && result instanceof DeleteResponse response) {
            return "del " + text(delete.range().start()) + ": " + response.deleted() + " deleted";
        } else if (op instanceof TxnOp.Scan scan && result instanceof ScanResponse response) {
            var lines = new ArrayList<String>();
            lines.add("scan " + text(scan.range().start()) + ": "
                    + response.kvs().size() + " keys" + (response.more() ? " (more)" : ""));
            response.kvs().forEach(kv -> lines.add("  " + text(kv.key()) + " = " + text(kv.value())));
            return String.join("\n", lines);
        }
        throw new IllegalStateException("the node answered " + op + " with " + result);
    }
}
