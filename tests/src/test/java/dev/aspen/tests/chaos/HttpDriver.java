package dev.aspen.tests.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aspen.kv.ReadConsistency;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * {@link Driver} over the HTTP API, sending each call to a random node (followers forward). Like a
 * real client it avoids, for {@link #REFUSED_BACKOFF}, a node that refused a connection; when every
 * node did, it backs off {@link #ALL_REFUSED_BACKOFF} before trying one again.
 */
final class HttpDriver implements Driver {
    /** Error codes the API answers before an operation could run. */
    private static final Set<String> NEVER_RAN =
            Set.of("not_leader", "invalid_argument", "failed_precondition", "too_large", "lease_not_found");

    /** A non-2xx answer. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final String code;

        Refused(Http.Answer answer) {
            super(answer.status() + " " + answer.body());
            this.code = answer.errorCode();
        }
    }

    /** How long a node that refused a connection is left out. */
    static final Duration REFUSED_BACKOFF = Duration.ofSeconds(1);

    /** The client's pause when every node refused lately (a whole-cluster crash). */
    static final Duration ALL_REFUSED_BACKOFF = Duration.ofMillis(100);

    private final NodeCluster cluster;
    private final Http http;
    private final Random random;
    private final long[] refusedAt;

    HttpDriver(NodeCluster cluster, Duration timeout, Random random) {
        this.cluster = cluster;
        this.http = new Http(timeout);
        this.random = random;
        this.refusedAt = new long[cluster.size()];
        Arrays.fill(refusedAt, Long.MIN_VALUE / 2);
    }

    /** Sends to a random node among those that did not refuse a connection lately. */
    private Http.Answer send(String method, String path, String body) throws Exception {
        long now = System.nanoTime();
        int[] usable = IntStream.range(0, refusedAt.length)
                .filter(i -> now - refusedAt[i] > REFUSED_BACKOFF.toNanos())
                .toArray();
        int node;
        if (usable.length == 0) {
            TimeUnit.MILLISECONDS.sleep(ALL_REFUSED_BACKOFF.toMillis());
            node = random.nextInt(refusedAt.length);
        } else {
            node = usable[random.nextInt(usable.length)];
        }
        try {
            return http.send(method, cluster.url(node) + path, body);
        } catch (ConnectException e) {
            refusedAt[node] = now;
            throw e;
        }
    }

    private static Http.Answer ok(Http.Answer answer) throws Refused {
        if (answer.status() / 100 != 2) {
            throw new Refused(answer);
        }
        return answer;
    }

    @Override
    public String get(String key, ReadConsistency.Mode mode) throws Exception {
        String level = mode.name().toLowerCase(Locale.ROOT);
        Http.Answer answer = send("GET", "/v1/kv/" + key + "?raw&consistency=" + level, null);
        if (answer.status() == 404 && answer.errorCode().equals("not_found")) {
            return null;
        }
        return ok(answer).body();
    }

    @Override
    public long put(String key, String value, long lease) throws Exception {
        String query = lease == 0 ? "" : "?lease=" + lease;
        return ok(send("PUT", "/v1/kv/" + key + query, value))
                .json()
                .path("revision")
                .asLong(-1);
    }

    @Override
    public long cas(String key, String expected, String value) throws Exception {
        var body = Http.JSON.createObjectNode();
        var compare = body.putArray("compare").addObject().put("key", key);
        if (expected == null) {
            compare.put("target", "version").put("result", "equal").put("version", 0);
        } else {
            compare.put("target", "value").put("result", "equal").put("value", base64(expected));
        }
        body.putArray("success").addObject().putObject("put").put("key", key).put("value", base64(value));
        JsonNode answer = ok(send("POST", "/v1/txn", body.toString())).json();
        return answer.path("succeeded").asBoolean() ? answer.path("revision").asLong(-1) : -1;
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public long delete(String key) throws Exception {
        JsonNode answer = ok(send("DELETE", "/v1/kv/" + key, null)).json();
        return answer.path("deleted").asLong() > 0 ? answer.path("revision").asLong(-1) : -1;
    }

    @Override
    public long grantLease(long ttlSeconds) throws Exception {
        return ok(send("POST", "/v1/lease", "{\"ttl\":" + ttlSeconds + "}"))
                .json()
                .path("id")
                .asLong();
    }

    @Override
    public void keepAlive(long lease) throws Exception {
        ok(send("POST", "/v1/lease/" + lease + "/keepalive", null));
    }

    @Override
    public void revoke(long lease) throws Exception {
        ok(send("DELETE", "/v1/lease/" + lease, null));
    }

    @Override
    public boolean leaseGone(Throwable failure) {
        return failure instanceof Refused refused && refused.code.equals("lease_not_found");
    }

    @Override
    public boolean neverRan(Throwable failure) {
        return failure instanceof ConnectException
                || failure instanceof HttpConnectTimeoutException
                || (failure instanceof Refused refused && NEVER_RAN.contains(refused.code));
    }

    @Override
    public String describe(Throwable failure) {
        return failure instanceof Refused refused
                ? "http " + (refused.code.isEmpty() ? "status" : refused.code)
                : "http " + failure.getClass().getSimpleName();
    }

    @Override
    public void close() {
        // the JDK client holds no resources that outlive its connections' idle timeout
    }
}
