package dev.aspen.mesh.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValue;
import dev.aspen.kv.KvException;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.mesh.client.AspenClient;
import dev.aspen.mesh.node.NodeFiles;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.FormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aspen kv put|get|del|scan}: key/value operations against a cluster. */
@Command(
        name = "kv",
        mixinStandardHelpOptions = true,
        description = "Read and write keys.",
        subcommands = {KvCommand.Put.class, KvCommand.Get.class, KvCommand.Del.class, KvCommand.Scan.class})
final class KvCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(), "a subcommand is required: put, get, del or scan");
    }

    /** Where the cluster is: a ticket and cookie, or a local node's data directory. */
    static final class Target {
        @ArgGroup(exclusive = true)
        Source source = new Source();

        @Option(
                names = "--cookie",
                defaultValue = "${env:ASPEN_COOKIE}",
                description = "Cluster secret (or ASPEN_COOKIE).")
        String cookie;

        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean json;

        static final class Source {
            @Option(
                    names = "--ticket",
                    description = "A cluster ticket (or ASPEN_TICKET).",
                    defaultValue = "${env:ASPEN_TICKET}")
            String ticket;

            @Option(
                    names = "--data-dir",
                    description = "A local node's data dir: its ticket and cookie are read from there.")
            Path dataDir;
        }

        AspenClient connect() throws Exception {
            if (source.ticket != null && !source.ticket.isBlank()) {
                if (cookie == null) {
                    throw new FormatException(
                            "--ticket needs --cookie (or ASPEN_COOKIE): clients prove themselves with it");
                }
                return AspenClient.connect(ClusterTicket.parse(source.ticket), cookie);
            }
            Path dir = source.dataDir != null ? source.dataDir : Path.of("aspen-data");
            Path cookieFile = dir.resolve(NodeFiles.COOKIE_FILE);
            if (cookie == null && !Files.exists(cookieFile)) {
                throw new FormatException(
                        "no --ticket given and no node in " + dir + " (" + cookieFile + " is missing)");
            }
            String secret = cookie != null
                    ? cookie
                    : Files.readString(cookieFile, StandardCharsets.UTF_8).strip();
            Cookie.of(secret);
            return AspenClient.connect(NodeFiles.ticket(dir), secret);
        }
    }

    /** Runs an operation with the exit-code policy: 0 done, 1 the operation failed. */
    abstract static class Operation implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        Target target = new Target();

        abstract Object perform(AspenClient client) throws Exception;

        @Override
        public Integer call() throws Exception {
            try (AspenClient client = target.connect()) {
                Object result = perform(client);
                if (result != null) {
                    spec.commandLine().getOut().println(result);
                }
                return 0;
            } catch (CompletionException e) {
                if (e.getCause() instanceof KvException kv) {
                    spec.commandLine().getErr().println("aspen: " + kv.getMessage());
                    return Cli.EXIT_FAILED;
                }
                throw e;
            } catch (java.io.IOException e) {
                spec.commandLine().getErr().println("aspen: " + e.getMessage());
                return Cli.EXIT_FAILED;
            }
        }

        static byte[] utf8(String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }

        String render(Map<String, Object> fields, String human) throws Exception {
            return target.json ? JSON.writeValueAsString(fields) : human;
        }

        static Map<String, Object> kvFields(KeyValue kv) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("key", new String(kv.key(), StandardCharsets.UTF_8));
            fields.put("value", Base64.getEncoder().encodeToString(kv.value()));
            fields.put("create_revision", kv.createRevision());
            fields.put("mod_revision", kv.modRevision());
            fields.put("version", kv.version());
            fields.put("lease", kv.lease());
            return fields;
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Set KEY to VALUE.")
    static final class Put extends Operation {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Override
        Object perform(AspenClient client) throws Exception {
            long revision = client.put(utf8(key), utf8(value)).join().revision();
            return render(Map.of("revision", revision), "OK (revision " + revision + ")");
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print KEY's value; exit 1 if it is absent.")
    static final class Get extends Operation {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Option(
                names = "--consistency",
                defaultValue = "linearizable",
                description = "linearizable (default), lease or stale.")
        String consistency;

        @Override
        Object perform(AspenClient client) throws Exception {
            ReadConsistency level =
                    switch (consistency) {
                        case "linearizable" -> ReadConsistency.LINEARIZABLE;
                        case "lease" -> ReadConsistency.LEASE;
                        case "stale" -> ReadConsistency.stale();
                        default ->
                            throw new FormatException(
                                    "--consistency must be linearizable, lease or stale, got '" + consistency + "'");
                    };
            Optional<KeyValue> kv = client.get(utf8(key), level).join().kv();
            if (kv.isEmpty()) {
                throw new CompletionException(
                        KvException.of(dev.aspen.kv.ErrorCode.NOT_FOUND, "key '" + key + "' does not exist"));
            }
            return render(kvFields(kv.get()), new String(kv.get().value(), StandardCharsets.UTF_8));
        }
    }

    @Command(
            name = "del",
            mixinStandardHelpOptions = true,
            description = "Delete KEY (or every key under it with --prefix).")
    static final class Del extends Operation {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Option(names = "--prefix", description = "Delete every key that starts with KEY.")
        boolean prefix;

        @Override
        Object perform(AspenClient client) throws Exception {
            KeyRange range = prefix ? KeyRange.prefix(utf8(key)) : KeyRange.key(utf8(key));
            var response = client.delete(range, false).join();
            return render(
                    Map.of("deleted", response.deleted(), "revision", response.revision()),
                    response.deleted() + " deleted (revision " + response.revision() + ")");
        }
    }

    @Command(name = "scan", mixinStandardHelpOptions = true, description = "List keys under PREFIX in key order.")
    static final class Scan extends Operation {
        @Parameters(index = "0", paramLabel = "PREFIX", defaultValue = "")
        String prefix;

        @Option(
                names = "--limit",
                defaultValue = "100",
                description = "At most this many keys (default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        Object perform(AspenClient client) throws Exception {
            var response = client.scan(KeyRange.prefix(utf8(prefix)), limit, false, ReadConsistency.LINEARIZABLE)
                    .join();
            if (target.json) {
                return JSON.writeValueAsString(Map.of(
                        "revision", response.revision(),
                        "more", response.more(),
                        "kvs", response.kvs().stream().map(Operation::kvFields).toList()));
            }
            List<String> lines = response.kvs().stream()
                    .map(kv -> new String(kv.key(), StandardCharsets.UTF_8) + " = "
                            + new String(kv.value(), StandardCharsets.UTF_8))
                    .toList();
            return lines.isEmpty() ? "(no keys)" : String.join("\n", lines);
        }
    }
}
