package dev.aspen.mesh.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.mesh.cluster.ClusterAdmin;
import dev.aspen.mesh.quic.LinkFaults;
import dev.aspen.tickets.NodeId;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aspen's HTTP API on the JDK's {@link HttpServer}: the key/value store ({@code /v1/kv}, {@code
 * /v1/txn}, {@code /v1/lease}, {@code /v1/watch} as server-sent events), cluster administration
 * ({@code /v1/cluster*}, {@code /v1/ticket}), {@code /health}, {@code /metrics}, the test-only
 * fault switch ({@code /v1/debug/faults}) and the routes of the earlier Aspen control plane. Every route and shape is in {@code docs/http-api.md}.
 *
 * <p>Limits: requests run on a fixed pool of {@link Settings#threads()} with a queue of {@link
 * Settings#queueLength()}; beyond that a request is answered 503 {@code unavailable} at once (and if
 * even that overflows, its connection is closed). Bodies above {@link Settings#maxBodyBytes()} get
 * 413 {@code too_large}; watches beyond {@link Settings#maxWatches()} get 503. A request waits at
 * most {@link Settings#requestTimeout()} for the store (then 503; a write's outcome is unknown).
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /**
     * What the API serves and its limits; build with {@link #builder}.
     *
     * @param bind address and port to listen on (port 0: a free one, see {@link HttpApi#address()})
     * @param token when present, every route but {@code GET /health} needs {@code Authorization:
     *     Bearer <token>}
     * @param kv the node's store; writes and linearizable reads it gets on a follower must already be
     *     forwarded to the leader by it
     * @param admin the node's cluster administration
     * @param nodeId this node (for {@code /health} and {@code /node-info})
     * @param quicAddress where this node's QUIC endpoint listens (for {@code /node-info})
     * @param unhealthyReason why this node is unhealthy now, empty when healthy ({@code /health});
     *     must not block
     * @param metrics the Prometheus text exposition for {@code /metrics}
     * @param threads request threads (default 16)
     * @param queueLength requests waiting for a thread before 503 (default 256)
     * @param maxBodyBytes largest request body (default 8 MiB)
     * @param maxWatches most open {@code /v1/watch} streams (default 256)
     * @param maxPendingEvents events a watch stream may hold for a slow client before it is ended
     *     (default 1024)
     * @param keepAlive how often an idle watch stream sends a comment line (default 15 s)
     * @param requestTimeout how long a request waits for the store or the cluster (default 30 s)
     * @param linkFaults the node's QUIC fault switch served at {@code /v1/debug/faults}; absent
     *     (the default): those routes answer 404
     */
    public record Settings(
            InetSocketAddress bind,
            Optional<String> token,
            KeyValueStore kv,
            ClusterAdmin admin,
            NodeId nodeId,
            InetSocketAddress quicAddress,
            Supplier<Optional<String>> unhealthyReason,
            Supplier<String> metrics,
            int threads,
            int queueLength,
            int maxBodyBytes,
            int maxWatches,
            int maxPendingEvents,
            Duration keepAlive,
            Duration requestTimeout,
            Optional<LinkFaults> linkFaults) {
        /** Validates every field; a message names the bad one. */
        public Settings {
            Objects.requireNonNull(bind, "bind");
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(kv, "kv");
            Objects.requireNonNull(admin, "admin");
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(quicAddress, "quicAddress");
            Objects.requireNonNull(unhealthyReason, "unhealthyReason");
            Objects.requireNonNull(metrics, "metrics");
            if (token.filter(t -> t.isBlank() || !t.equals(t.strip())).isPresent()) {
                throw new IllegalArgumentException("token must be non-empty and have no surrounding whitespace");
            }
            positive("threads", threads);
            positive("queueLength", queueLength);
            positive("maxBodyBytes", maxBodyBytes);
            positive("maxWatches", maxWatches);
            positive("maxPendingEvents", maxPendingEvents);
            positive("keepAlive", Objects.requireNonNull(keepAlive, "keepAlive").toMillis());
            positive(
                    "requestTimeout",
                    Objects.requireNonNull(requestTimeout, "requestTimeout").toMillis());
            Objects.requireNonNull(linkFaults, "linkFaults");
        }

        private static void positive(String name, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
        }

        /** Settings with the defaults above, listening on 127.0.0.1 on a free port. */
        public static Builder builder(
                KeyValueStore kv, ClusterAdmin admin, NodeId nodeId, InetSocketAddress quicAddress) {
            return new Builder(kv, admin, nodeId, quicAddress);
        }
    }

    /** Builds {@link Settings}; every setter returns this builder. */
    public static final class Builder {
        private final KeyValueStore kv;
        private final ClusterAdmin admin;
        private final NodeId nodeId;
        private final InetSocketAddress quicAddress;
        private InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private Optional<String> token = Optional.empty();
        private Supplier<Optional<String>> unhealthyReason = Optional::empty;
        private Supplier<String> metrics = () -> "";
        private int threads = 16;
        private int queueLength = 256;
        private int maxBodyBytes = 8 * 1024 * 1024;
        private int maxWatches = 256;
        private int maxPendingEvents = 1024;
        private Duration keepAlive = Duration.ofSeconds(15);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Optional<LinkFaults> linkFaults = Optional.empty();

        private Builder(KeyValueStore kv, ClusterAdmin admin, NodeId nodeId, InetSocketAddress quicAddress) {
            this.kv = kv;
            this.admin = admin;
            this.nodeId = nodeId;
            this.quicAddress = quicAddress;
        }

        public Builder bind(InetSocketAddress value) {
            bind = value;
            return this;
        }

        public Builder token(Optional<String> value) {
            token = value;
            return this;
        }

        public Builder unhealthyReason(Supplier<Optional<String>> value) {
            unhealthyReason = value;
            return this;
        }

        public Builder metrics(Supplier<String> value) {
            metrics = value;
            return this;
        }

        public Builder threads(int value) {
            threads = value;
            return this;
        }

        public Builder queueLength(int value) {
            queueLength = value;
            return this;
        }

        public Builder maxBodyBytes(int value) {
            maxBodyBytes = value;
            return this;
        }

        public Builder maxWatches(int value) {
            maxWatches = value;
            return this;
        }

        public Builder maxPendingEvents(int value) {
            maxPendingEvents = value;
            return this;
        }

        public Builder keepAlive(Duration value) {
            keepAlive = value;
            return this;
        }

        public Builder requestTimeout(Duration value) {
            requestTimeout = value;
            return this;
        }

        public Builder linkFaults(LinkFaults value) {
            linkFaults = Optional.of(value);
            return this;
        }

        /** @throws IllegalArgumentException naming the bad setting */
        public Settings build() {
            return new Settings(
                    bind,
                    token,
                    kv,
                    admin,
                    nodeId,
                    quicAddress,
                    unhealthyReason,
                    metrics,
                    threads,
                    queueLength,
                    maxBodyBytes,
                    maxWatches,
                    maxPendingEvents,
                    keepAlive,
                    requestTimeout,
                    linkFaults);
        }
    }

    private final Settings settings;
    private final HttpServer server;
    private final ThreadPoolExecutor workers;
    private final ThreadPoolExecutor overflow;
    private final ThreadLocal<Boolean> overloaded = ThreadLocal.withInitial(() -> false);
    private final Router router = new Router();
    private final WatchStream.Route watches;

    private HttpApi(Settings settings) throws IOException {
        this.settings = settings;
        this.workers = new ThreadPoolExecutor(
                settings.threads(),
                settings.threads(),
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(settings.queueLength()),
                threads("aspen-http-", false));
        this.overflow = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(settings.queueLength()),
                threads("aspen-http-busy-", true));
        this.watches = new WatchStream.Route(
                settings.kv(), settings.maxWatches(), settings.maxPendingEvents(), settings.keepAlive());
        router.add("GET", "/health", this::health).add("GET", "/metrics", this::metrics);
        new KvRoutes(settings.kv()).register(router);
        watches.register(router);
        new ClusterRoutes(settings.admin()).register(router);
        new FaultRoutes(settings.linkFaults()).register(router);
        new CompatRoutes(settings.kv(), settings.admin(), settings.nodeId(), settings.quicAddress(), this::address)
                .register(router);
        this.server = HttpServer.create(settings.bind(), 0);
        server.setExecutor(this::dispatch);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Binds and starts serving. Returns once the port is bound.
     *
     * @throws IOException if the address cannot be bound
     */
    public static HttpApi start(Settings settings) throws IOException {
        return new HttpApi(settings);
    }

    /** The address actually bound (with the chosen port when the settings asked for port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** How many {@code /v1/watch} streams are open now (a gauge for metrics). */
    public int openWatches() {
        return watches.open();
    }

    /** Stops listening, ends every watch stream and request thread. Never throws. */
    @Override
    public void close() {
        server.stop(0);
        watches.closeAll();
        workers.shutdownNow();
        overflow.shutdownNow();
    }

    private ThreadFactory threads(String prefix, boolean overloadedThreads) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(
                    () -> {
                        overloaded.set(overloadedThreads);
                        task.run();
                    },
                    prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Runs an exchange on a worker, or on the overflow thread that only answers 503. */
    private void dispatch(Runnable exchange) {
        try {
            workers.execute(exchange);
        } catch (RejectedExecutionException e) {
            overflow.execute(exchange);
        }
    }

    private void handle(HttpExchange exchange) {
        Reply reply = overloaded.get()
                ? Reply.error(ApiException.unavailable("the server is overloaded: " + settings.threads()
                        + " requests are running and " + settings.queueLength() + " waiting; retry later"))
                : answer(exchange);
        if (reply == Reply.DETACHED) {
            return;
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            reply.headers().forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
            if (reply.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(reply.body());
                }
            }
        } catch (IOException e) {
            log.debug(
                    "could not answer {} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
        } finally {
            exchange.close();
        }
    }

    private Reply answer(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        try {
            if (!path.equals("/health")) {
                authenticate(exchange);
            }
            Router.Match match = router.match(path).orElseThrow(() -> ApiException.notFound("no route " + path));
            Router.Handler handler = match.methods().get(method);
            if (handler == null) {
                throw ApiException.methodNotAllowed(method, path, match.allow());
            }
            return handler.handle(
                    new Call(exchange, match.captured(), settings.maxBodyBytes(), settings.requestTimeout()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reply.error(ApiException.unavailable("the server is shutting down"));
        } catch (Exception e) {
            ApiException error = ApiException.from(e);
            if (error.internal()) {
                log.warn("{} {} failed", method, path, e);
            }
            return Reply.error(error);
        } catch (Error e) {
            // Answered all the same (500): an unanswered request hangs a client without a timeout.
            log.error("{} {} failed", method, path, e);
            return Reply.error(ApiException.of(500, "internal", "internal error: " + e));
        }
    }

    private void authenticate(HttpExchange exchange) {
        if (settings.token().isEmpty()) {
            return;
        }
        String given = exchange.getRequestHeaders().getFirst("Authorization");
        if (given == null) {
            throw ApiException.unauthenticated("this node requires an 'Authorization: Bearer <token>' header");
        }
        byte[] expected = ("Bearer " + settings.token().get()).getBytes(UTF_8);
        if (!MessageDigest.isEqual(expected, given.getBytes(UTF_8))) {
            throw ApiException.unauthenticated("the bearer token is wrong");
        }
    }

    private Reply health(Call call) {
        call.allowOnly();
        Optional<String> reason = settings.unhealthyReason().get();
        if (reason.isEmpty()) {
            return Reply.ok(Json.object()
                    .put("status", "ok")
                    .put("node_id", settings.nodeId().toString()));
        }
        ObjectNode out = ApiException.unavailable(reason.get()).toJson();
        out.put("status", "unavailable")
                .put("reason", reason.get())
                .put("node_id", settings.nodeId().toString());
        return Reply.json(503, out);
    }

    private Reply metrics(Call call) {
        call.allowOnly();
        return new Reply(200, PROMETHEUS_TEXT, settings.metrics().get().getBytes(UTF_8), Map.of());
    }
}
