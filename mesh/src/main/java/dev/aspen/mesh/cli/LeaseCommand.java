package dev.aspen.mesh.cli;

import dev.aspen.kv.LeaseResponse;
import dev.aspen.kv.LeaseRevokeResponse;
import dev.aspen.kv.LeaseTimeToLiveResponse;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.mesh.client.AspenClient;
import dev.aspen.tickets.FormatException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aspen lease grant|keepalive|revoke|ttl}: leases, which delete their keys when they expire. */
@Command(
        name = "lease",
        mixinStandardHelpOptions = true,
        description = "Grant, keep alive, revoke and inspect leases (attach keys with 'aspen kv put --lease ID').",
        subcommands = {
            LeaseCommand.Grant.class,
            LeaseCommand.KeepAlive.class,
            LeaseCommand.Revoke.class,
            LeaseCommand.Ttl.class
        })
final class LeaseCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(), "a subcommand is required: grant, keepalive, revoke or ttl");
    }

    private static Map<String, Object> leaseFields(LeaseResponse lease) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", lease.id());
        fields.put("ttl", lease.ttlSeconds());
        fields.put("revision", lease.revision());
        return fields;
    }

    @Command(
            name = "grant",
            mixinStandardHelpOptions = true,
            description = "Grant a lease of TTL seconds and print its id.")
    static final class Grant extends RemoteCommand.Kv {
        @Parameters(index = "0", paramLabel = "TTL", description = "Seconds until the lease expires unless kept alive.")
        long ttl;

        @Override
        void prepare() {
            if (ttl < 1) {
                throw new FormatException("TTL must be at least 1 second, got " + ttl);
            }
        }

        @Override
        Object perform(AspenClient client) {
            LeaseResponse lease = client.leaseGrant(ttl).join();
            return render(leaseFields(lease), "lease " + lease.id() + " granted with TTL " + lease.ttlSeconds() + "s");
        }
    }

    @Command(
            name = "keepalive",
            mixinStandardHelpOptions = true,
            description = "Keep lease ID alive: renew it every third of its TTL until interrupted (or once with"
                    + " --once). Exits 1 when the lease is gone.")
    static final class KeepAlive extends RemoteCommand.Kv {
        @Parameters(index = "0", paramLabel = "ID")
        long id;

        @Option(names = "--once", description = "Renew once and exit.")
        boolean once;

        @Override
        Object perform(AspenClient client) throws InterruptedException {
            while (true) {
                LeaseResponse lease = client.leaseKeepAlive(id).join();
                out().println(render(
                        leaseFields(lease), "lease " + lease.id() + " kept alive, TTL " + lease.ttlSeconds() + "s"));
                if (once) {
                    return null;
                }
                Thread.sleep(Math.max(1, lease.ttlSeconds()) * 1000 / 3);
            }
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke lease ID, deleting its keys.")
    static final class Revoke extends RemoteCommand.Kv {
        @Parameters(index = "0", paramLabel = "ID")
        long id;

        @Override
        Object perform(AspenClient client) {
            LeaseRevokeResponse response = client.leaseRevoke(id).join();
            return render(
                    Map.of("revision", response.revision(), "deleted", response.deletedKeys()),
                    "lease " + id + " revoked, " + response.deletedKeys() + " keys deleted (revision "
                            + response.revision() + ")");
        }
    }

    @Command(
            name = "ttl",
            mixinStandardHelpOptions = true,
            description = "Show lease ID's TTL, remaining time and keys.")
    static final class Ttl extends RemoteCommand.Kv {
        @Parameters(index = "0", paramLabel = "ID")
        long id;

        @Override
        Object perform(AspenClient client) {
            LeaseTimeToLiveResponse lease =
                    client.leaseTimeToLive(id, ReadConsistency.LINEARIZABLE).join();
            var keys = lease.keys().stream().map(RemoteCommand::text).toList();
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("id", lease.id());
            fields.put("granted_ttl", lease.grantedTtlSeconds());
            fields.put("remaining_ms", lease.remainingMillis() < 0 ? null : lease.remainingMillis());
            fields.put("keys", keys);
            fields.put("revision", lease.revision());
            String remaining = lease.remainingMillis() < 0 ? "unknown" : (lease.remainingMillis() + 999) / 1000 + "s";
            return render(
                    fields,
                    "lease " + lease.id() + ": granted TTL " + lease.grantedTtlSeconds() + "s, remaining " + remaining
                            + ", keys: " + (keys.isEmpty() ? "(none)" : String.join(", ", keys)));
        }
    }
}
