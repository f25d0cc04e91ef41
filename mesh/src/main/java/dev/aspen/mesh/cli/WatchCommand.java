package dev.aspen.mesh.cli;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KvException;
import dev.aspen.kv.Watch;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.WatchListener;
import dev.aspen.mesh.client.AspenClient;
import dev.aspen.tickets.FormatException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aspen kv watch}: prints changes to a key or prefix as they happen. */
@Command(
        name = "watch",
        mixinStandardHelpOptions = true,
        description = {
            "Print each change to KEY (or every key under it with --prefix) as it happens, one line per event:"
                    + " 'PUT key = value (revision R)' or 'DELETE key (revision R)'; with --json one JSON object"
                    + " per line. Runs until interrupted, or until --count events were printed.",
            "Exits 1 if the node ends the watch (e.g. --from-revision is older than the retained history)."
        })
final class WatchCommand extends RemoteCommand.Kv {
    /** Events received but not yet printed; a watcher this far behind is ended. */
    static final int MAX_BUFFERED_EVENTS = 10_000;

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Option(names = "--prefix", description = "Watch every key that starts with KEY.")
    boolean prefix;

    @Option(
            names = "--from-revision",
            paramLabel = "R",
            description = "Replay changes from revision R on (default: only new changes).")
    long fromRevision;

    @Option(names = "--count", paramLabel = "N", description = "Exit after N events.")
    Long count;

    @Override
    void prepare() {
        if (count != null && count < 1) {
            throw new FormatException("--count must be at least 1, got " + count);
        }
        if (fromRevision < 0) {
            throw new FormatException("--from-revision must not be negative, got " + fromRevision);
        }
    }

    @Override
    Object perform(AspenClient client) throws InterruptedException {
        KeyRange range = prefix ? KeyRange.prefix(utf8(key)) : KeyRange.key(utf8(key));
        var buffer = new Buffer();
        Watch watch = client.watch(range, fromRevision, false, buffer).join();
        try {
            long printed = 0;
            while (count == null || printed < count) {
                Object next = buffer.queue.take();
                if (next instanceof KvException ended) {
                    throw new CompletionException(ended);
                }
                out().println(format((WatchEvent) next));
                printed++;
            }
        } finally {
            watch.close();
        }
        return null;
    }

    private String format(WatchEvent event) {
        if (cluster.json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("type", event.type().name().toLowerCase(Locale.ROOT));
            fields.put("revision", event.revision());
            fields.put("kv", kvFields(event.kv()));
            return toJson(fields);
        }
        String key = text(event.kv().key());
        return event.type() == WatchEvent.Type.PUT
                ? "PUT " + key + " = " + text(event.kv().value()) + " (revision " + event.revision() + ")"
                : "DELETE " + key + " (revision " + event.revision() + ")";
    }

    /**
     * Hands events from the client's reader thread to the printing thread without blocking the
     * reader; overflowing it, or the node ending the watch, leaves a {@link KvException} last.
     */
    private static final class Buffer implements WatchListener {
        final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(MAX_BUFFERED_EVENTS + 1);
        private volatile boolean ended;

        @Override
        public void onEvents(List<WatchEvent> events) {
            for (WatchEvent event : events) {
                if (ended) {
                    return;
                }
                if (queue.remainingCapacity() <= 1) {
                    end(KvException.of(
                            ErrorCode.UNAVAILABLE,
                            "the watch fell " + MAX_BUFFERED_EVENTS + " events behind; output is too slow"));
                    return;
                }
                queue.add(event);
            }
        }

        @Override
        public void onCancelled(KvException reason) {
            end(reason);
        }

        private synchronized void end(KvException reason) {
            if (!ended) {
                ended = true;
                queue.add(reason);
            }
        }
    }
}
