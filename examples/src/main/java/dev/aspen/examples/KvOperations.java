package dev.aspen.examples;

import static dev.aspen.examples.Examples.bytes;
import static dev.aspen.examples.Examples.join;
import static dev.aspen.examples.Examples.say;
import static dev.aspen.examples.Examples.text;

import dev.aspen.kv.Compare;
import dev.aspen.kv.GetResponse;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValue;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvException;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.TxnResponse;
import dev.aspen.kv.Watch;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.WatchListener;
import dev.aspen.mesh.client.AspenClient;
import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.mesh.node.AspenNode;
import dev.aspen.tickets.ClusterTicket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

/**
 * The key/value API through {@link AspenClient}, a remote client that connects with a cluster
 * ticket and the cookie: put/get/scan, {@code putAll}, a compare-and-swap transaction, a lease kept
 * alive and then left to expire, and a watch printing every change under the example's prefix.
 *
 * <p>Usage: {@code KvOperations [TICKET COOKIE]}, or with {@code ASPEN_TICKET} and {@code
 * ASPEN_COOKIE} set (the ticket and cookie {@code aspen node} prints and keeps in its data dir).
 * Without either it starts its own one-node cluster first, so it runs on its own. It writes only
 * keys under {@code kv-example/} and deletes them at the end.
 */
public final class KvOperations {
    private static final String PREFIX = "kv-example/";
    private static final long LEASE_TTL_SECONDS = 2;

    private KvOperations() {}

    public static void main(String[] args) {
        Examples.run(() -> {
            Optional<String> ticket = arg(args, 0, "ASPEN_TICKET");
            Optional<String> cookie = arg(args, 1, "ASPEN_COOKIE");
            if (ticket.isPresent() && cookie.isPresent()) {
                say("connecting to the cluster of the given ticket");
                runAgainst(ClusterTicket.parse(ticket.get()), cookie.get());
                return;
            }
            if (ticket.isPresent() || cookie.isPresent()) {
                throw new IllegalArgumentException(
                        "give both a ticket and a cookie (as arguments or ASPEN_TICKET and ASPEN_COOKIE), or neither");
            }
            Path dataDir = Examples.tempDir("kv");
            String secret = "kv-example-" + UUID.randomUUID();
            try (AspenNode node = AspenNode.start(
                    NodeConfig.builder(dataDir).cookie(secret).lan(false).build())) {
                say("no ticket given: started a one-node cluster of our own, ticket %s", node.ticket());
                runAgainst(node.ticket(), secret);
            }
            Examples.deleteTree(dataDir);
        });
    }

    private static Optional<String> arg(String[] args, int index, String env) {
        if (args.length > index) {
            return Optional.of(args[index]);
        }
        return Optional.ofNullable(System.getenv(env)).filter(value -> !value.isBlank());
    }

    private static void runAgainst(ClusterTicket ticket, String cookie) throws Exception {
        try (AspenClient client = AspenClient.connect(ticket, cookie)) {
            Printer printer = new Printer();
            Watch watch = join(client.watch(KeyRange.prefix(bytes(PREFIX)), 0, false, printer));
            say("watching every key under %s", PREFIX);
            try {
                basics(client);
                compareAndSwap(client);
                lease(client);
            } finally {
                var cleanUp = join(client.delete(KeyRange.prefix(bytes(PREFIX)), false));
                say("cleaned up: deleted %d keys under %s", cleanUp.deleted(), PREFIX);
                Examples.await(
                        "the watch to print the clean-up",
                        Duration.ofSeconds(5),
                        () -> printer.seen >= cleanUp.revision());
                printer.closing = true;
                watch.close();
            }
        }
    }

    private static void basics(KeyValueStore kv) throws Exception {
        long revision = join(kv.put(key("color"), bytes("blue"))).revision();
        say("put %scolor = blue (revision %d)", PREFIX, revision);
        KeyValue color = join(kv.get(key("color"))).kv().orElseThrow();
        say(
                "get %scolor -> %s (created at revision %d, version %d)",
                PREFIX, text(color.value()), color.createRevision(), color.version());
        var all = List.of(
                new TxnOp.Put(key("fruit/apple"), bytes("3"), 0, false),
                new TxnOp.Put(key("fruit/pear"), bytes("5"), 0, false),
                new TxnOp.Put(key("fruit/plum"), bytes("7"), 0, false));
        var putAll = join(kv.putAll(all));
        say("putAll: %d keys at one revision (%d)", putAll.count(), putAll.revision());
        var scan = join(kv.scan(KeyRange.prefix(key("fruit/")), 10, false, ReadConsistency.LINEARIZABLE));
        for (KeyValue kvs : scan.kvs()) {
            say("scan %sfruit/ -> %s = %s", PREFIX, text(kvs.key()), text(kvs.value()));
        }
    }

    /** Sets the color to green only if it is still blue: the second attempt finds it changed. */
    private static void compareAndSwap(KeyValueStore kv) throws Exception {
        for (int attempt = 1; attempt <= 2; attempt++) {
            TxnResponse txn = join(kv.txn(
                    List.of(Compare.value(key("color"), Compare.Op.EQUAL, bytes("blue"))),
                    List.of(new TxnOp.Put(key("color"), bytes("green"), 0, false)),
                    List.of(new TxnOp.Get(key("color")))));
            say(
                    "txn: if color == blue then set it to green -> %s",
                    txn.succeeded()
                            ? "swapped (revision " + txn.revision() + ")"
                            : "not swapped, color is already "
                                    + text(((GetResponse) txn.results().get(0))
                                            .kv()
                                            .orElseThrow()
                                            .value()));
        }
    }

    private static void lease(KeyValueStore kv) throws Exception {
        long lease = join(kv.leaseGrant(LEASE_TTL_SECONDS)).id();
        say("granted lease %d with a TTL of %d s", lease, LEASE_TTL_SECONDS);
        join(kv.put(key("session"), bytes("alive"), lease, false));
        say("put %ssession = alive, attached to the lease", PREFIX);
        for (int i = 1; i <= 3; i++) {
            Thread.sleep(1000);
            join(kv.leaseKeepAlive(lease));
            say(
                    "keep-alive %d after %d s: session still there: %s",
                    i, i, join(kv.get(key("session"))).kv().isPresent());
        }
        say("no more keep-alives: waiting for the lease to expire");
        long stopped = System.nanoTime();
        Examples.await(
                "the lease to expire",
                Duration.ofSeconds(LEASE_TTL_SECONDS + 10),
                () -> join(kv.get(key("session"))).kv().isEmpty());
        say(
                "lease expired after about %d s: %ssession is gone",
                Duration.ofNanos(System.nanoTime() - stopped).toSeconds(), PREFIX);
        try {
            join(kv.leaseKeepAlive(lease));
            say("unexpected: the expired lease could still be kept alive");
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof KvException gone)) {
                throw e;
            }
            say("keep-alive on the expired lease fails: %s", gone.code().wireName());
        }
    }

    private static byte[] key(String name) {
        return bytes(PREFIX + name);
    }

    /** Prints each event; runs on the watch's dispatch thread. */
    private static final class Printer implements WatchListener {
        /** The revision of the last event printed. */
        volatile long seen;
        /** Set before the example closes the watch: the connection's end is then expected. */
        volatile boolean closing;

        @Override
        public void onEvents(List<WatchEvent> events) {
            for (WatchEvent event : events) {
                String what = event.type() == WatchEvent.Type.PUT
                        ? "PUT " + text(event.kv().key()) + " = "
                                + text(event.kv().value())
                        : "DELETE " + text(event.kv().key());
                say("  watch event: %s (revision %d)", what, event.revision());
                seen = event.revision();
            }
        }

        @Override
        public void onCancelled(KvException reason) {
            if (!closing) {
                say("  watch cancelled: %s", reason.getMessage());
            }
        }
    }
}
