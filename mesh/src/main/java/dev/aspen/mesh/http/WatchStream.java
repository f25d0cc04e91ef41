package dev.aspen.mesh.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvException;
import dev.aspen.kv.Watch;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.WatchListener;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/watch}: one store watch streamed as server-sent events. Each change is one event
 * {@code data: {"type":"put"|"delete","revision","kv"[,"prev_kv"]}}; a watch the store ends (or one
 * whose client reads too slowly) ends with {@code event: cancelled} and an error object. A comment
 * line every keep-alive period keeps idle connections open and finds clients that went away; then
 * the store watch is closed.
 *
 * <p>Each open stream has one writer thread (so a slow client never blocks the store's dispatch)
 * and at most {@code maxPending} events waiting for it; the number of streams is bounded.
 */
final class WatchStream implements WatchListener, Runnable {
    private static final Logger log = LoggerFactory.getLogger(WatchStream.class);
    private static final Object END = new Object();

    /** The route and the limits shared by every stream of one server. */
    static final class Route {
        private final KeyValueStore kv;
        private final int maxStreams;
        private final int maxPending;
        private final Duration keepAlive;
        private final Set<WatchStream> open = ConcurrentHashMap.newKeySet();
        private final AtomicInteger slots = new AtomicInteger();

        Route(KeyValueStore kv, int maxStreams, int maxPending, Duration keepAlive) {
            this.kv = kv;
            this.maxStreams = maxStreams;
            this.maxPending = maxPending;
            this.keepAlive = keepAlive;
        }

        void register(Router router) {
            router.add("GET", "/v1/watch", this::watch);
        }

        /** Streams open now. */
        int open() {
            return slots.get();
        }

        /** Ends every stream (the server is closing). */
        void closeAll() {
            open.forEach(stream -> stream.writer.interrupt());
        }

        private Reply watch(Call call) throws Exception {
            call.allowOnly("key", "prefix", "from_revision", "prev");
            KeyRange range = range(call);
            long from = call.number("from_revision", 0, Long.MAX_VALUE, 0);
            boolean prev = call.flag("prev");
            if (slots.incrementAndGet() > maxStreams) {
                slots.decrementAndGet();
                throw ApiException.unavailable("this node already serves its maximum of " + maxStreams + " watches");
            }
            WatchStream stream = new WatchStream(this, call.exchange());
            CompletableFuture<Watch> registering = kv.watch(range, from, prev, stream);
            try {
                stream.watch = call.await(registering);
                stream.start();
                return Reply.DETACHED;
            } catch (Exception | Error e) {
                registering.thenAccept(Watch::close);
                slots.decrementAndGet();
                throw e;
            }
        }

        private static KeyRange range(Call call) {
            if (call.has("key") == call.has("prefix")) {
                throw ApiException.invalid("give exactly one of the parameters 'key' and 'prefix'");
            }
            return call.has("key")
                    ? KeyRange.key(call.bytes("key").orElseThrow())
                    : KeyRange.prefix(call.bytes("prefix").orElseThrow());
        }
    }

    private final Route route;
    private final HttpExchange exchange;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final Thread writer;
    private volatile Watch watch;
    private volatile boolean overflowed;
    private volatile KvException ending;

    private WatchStream(Route route, HttpExchange exchange) {
        this.route = route;
        this.exchange = exchange;
        this.writer = new Thread(this, "aspen-http-watch");
        writer.setDaemon(true);
    }

    private void start() throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        route.open.add(this);
        writer.start();
    }

    @Override
    public void onEvents(List<WatchEvent> events) {
        if (overflowed) {
            return;
        }
        if (pending.addAndGet(events.size()) > route.maxPending) {
            overflowed = true;
            end(KvException.of(
                    ErrorCode.UNAVAILABLE,
                    "the client reads too slowly: more than " + route.maxPending + " events were waiting"));
            return;
        }
        queue.addAll(events);
    }

    @Override
    public void onCancelled(KvException reason) {
        end(reason);
    }

    private void end(KvException reason) {
        ending = reason;
        queue.add(END);
    }

    @Override
    public void run() {
        try (OutputStream out = exchange.getResponseBody()) {
            write(out, ": watching\n\n");
            long keepAliveMillis = route.keepAlive.toMillis();
            for (Object item = queue.poll(keepAliveMillis, TimeUnit.MILLISECONDS);
                    item != END;
                    item = queue.poll(keepAliveMillis, TimeUnit.MILLISECONDS)) {
                if (item == null) {
                    write(out, ": keep-alive\n\n");
                } else {
                    pending.decrementAndGet();
                    write(out, "data: " + new String(Json.bytes(event((WatchEvent) item)), UTF_8) + "\n\n");
                }
            }
            String error = new String(Json.bytes(ApiException.from(ending).toJson()), UTF_8);
            write(out, "event: cancelled\ndata: " + error + "\n\n");
        } catch (IOException e) {
            log.debug("watch stream ended: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watch.close();
            exchange.close();
            route.open.remove(this);
            route.slots.decrementAndGet();
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(UTF_8));
        out.flush();
    }

    private static ObjectNode event(WatchEvent event) {
        ObjectNode out = Json.object()
                .put("type", event.type().name().toLowerCase(Locale.ROOT))
                .put("revision", event.revision());
        out.set("kv", Json.kv(event.kv(), true));
        event.prevKv().ifPresent(prev -> out.set("prev_kv", Json.kv(prev, true)));
        return out;
    }
}
