package dev.aspen.mesh.cli;

import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValue;
import dev.aspen.kv.KvException;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.mesh.client.AspenClient;
import dev.aspen.tickets.FormatException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aspen kv put|get|del|scan|txn|watch}: key/value operations against a cluster. */
@Command(
        name = "kv",
        mixinStandardHelpOptions = true,
        description = "Read and write keys.",
        subcommands = {
            KvCommand.Put.class,
            KvCommand.Get.class,
            KvCommand.Del.class,
            KvCommand.Scan.class,
            TxnCommand.class,
            WatchCommand.class
        })
final class KvCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(), "a subcommand is required: put, get, del, scan, txn or watch");
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Set KEY to VALUE.")
    static final class Put extends RemoteCommand.Kv {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Option(names = "--lease", paramLabel = "ID", description = "Attach the key to this lease (see 'aspen lease').")
        long lease;

        @Override
        Object perform(AspenClient client) throws Exception {
            long revision =
                    client.put(utf8(key), utf8(value), lease, false).join().revision();
            return render(Map.of("revision", revision), "OK (revision " + revision + ")");
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print KEY's value; exit 1 if it is absent.")
    static final class Get extends RemoteCommand.Kv {
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
            return render(kvFields(kv.get()), text(kv.get().value()));
        }
    }

    @Command(
            name = "del",
            mixinStandardHelpOptions = true,
            description = "Delete KEY (or every key under it with --prefix).")
    static final class Del extends RemoteCommand.Kv {
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
    static final class Scan extends RemoteCommand.Kv {
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
            if (cluster.json) {
                return toJson(Map.of(
                        "revision", response.revision(),
                        "more", response.more(),
                        "kvs",
                                response.kvs().stream()
                                        .map(RemoteCommand::kvFields)
                                        .toList()));
            }
            List<String> lines = response.kvs().stream()
                    .map(kv -> text(kv.key()) + " = " + text(kv.value()))
                    .toList();
            return lines.isEmpty() ? "(no keys)" : String.join("\n", lines);
        }
    }
}
