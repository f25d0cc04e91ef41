package dev.aspen.mesh.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aspen.kv.KeyValue;
import dev.aspen.kv.KvException;
import dev.aspen.mesh.client.AspenClient;
import dev.aspen.mesh.cluster.AdminClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that talks to a cluster, with the CLI's exit-code policy: 0 done; 1 the operation
 * failed (the node answered with an error, or no node could be reached), reported as one line on
 * stderr; bad input is a {@link dev.aspen.tickets.FormatException}, which {@link Cli} turns into 2.
 *
 * @param <C> the client it uses
 */
abstract class RemoteCommand<C extends AutoCloseable> implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    /** Checks and prepares the input before connecting; bad input throws {@link dev.aspen.tickets.FormatException}. */
    void prepare() throws IOException {}

    /** Connects the client; blocks. */
    abstract C connect() throws IOException;

    /**
     * Runs the operation. Returns what to print (null: nothing more; streaming commands print as
     * they go). Failures are {@link KvException}s, possibly inside a {@link CompletionException}.
     */
    abstract Object perform(C client) throws Exception;

    @Override
    @SuppressWarnings("try") // C is AutoCloseable only for try-with-resources; both clients' close() throws nothing
    public Integer call() throws Exception {
        prepare();
        try (C client = connect()) {
            Object result = perform(client);
            if (result != null) {
                out().println(result);
            }
            return 0;
        } catch (CompletionException e) {
            if (e.getCause() instanceof KvException kv) {
                return failed(kv.getMessage());
            }
            throw e;
        } catch (KvException | IOException e) {
            return failed(e.getMessage());
        }
    }

    private int failed(String message) {
        spec.commandLine().getErr().println("aspen: " + message);
        return Cli.EXIT_FAILED;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** {@code json} as JSON text with {@code --json}, else {@code human}. */
    String render(Object json, String human) {
        return cluster.json ? toJson(json) : human;
    }

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps, lists and JSON trees always serialize", e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The JSON form of a key/value: the key as text, the value in base64. */
    static Map<String, Object> kvFields(KeyValue kv) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("key", text(kv.key()));
        fields.put("value", Base64.getEncoder().encodeToString(kv.value()));
        fields.put("create_revision", kv.createRevision());
        fields.put("mod_revision", kv.modRevision());
        fields.put("version", kv.version());
        fields.put("lease", kv.lease());
        return fields;
    }

    /** A command using the key/value client. */
    abstract static class Kv extends RemoteCommand<AspenClient> {
        @Override
        AspenClient connect() throws IOException {
            return cluster.kvClient();
        }
    }

    /** A command using the admin client. */
    abstract static class Admin extends RemoteCommand<AdminClient> {
        @Override
        AdminClient connect() throws IOException {
            return cluster.adminClient();
        }
    }
}
