package dev.aspen.tests.chaos;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.aspen.kv.Compare;
import dev.aspen.kv.DeleteResponse;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KvException;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.TxnResponse;
import dev.aspen.mesh.client.AspenClient;
import dev.aspen.tickets.ClusterTicket;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link Driver} over {@link AspenClient} (QUIC), connected with the cluster's ticket. */
final class JavaDriver implements Driver {
    /** Errors the node answers before an operation could run. */
    private static final Set<ErrorCode> NEVER_RAN = EnumSet.of(
            ErrorCode.NOT_LEADER,
            ErrorCode.INVALID_ARGUMENT,
            ErrorCode.FAILED_PRECONDITION,
            ErrorCode.TOO_LARGE,
            ErrorCode.LEASE_NOT_FOUND);

    private final AspenClient client;
    private final Duration timeout;

    JavaDriver(String ticket, String cookie, Duration timeout) throws IOException {
        this.client = AspenClient.connect(ClusterTicket.parse(ticket), cookie);
        this.timeout = timeout;
    }

    private <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw e;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @Override
    public String get(String key, ReadConsistency.Mode mode) throws Exception {
        var consistency =
                switch (mode) {
                    case LINEARIZABLE -> ReadConsistency.LINEARIZABLE;
                    case LEASE -> ReadConsistency.LEASE;
                    case STALE -> ReadConsistency.stale();
                };
        return await(client.get(key.getBytes(UTF_8), consistency))
                .kv()
                .map(kv -> new String(kv.value(), UTF_8))
                .orElse(null);
    }

    @Override
    public long put(String key, String value, long lease) throws Exception {
        return await(client.put(key.getBytes(UTF_8), value.getBytes(UTF_8), lease, false))
                .revision();
    }

    @Override
    public long cas(String key, String expected, String value) throws Exception {
        byte[] k = key.getBytes(UTF_8);
        Compare compare = expected == null
                ? Compare.number(k, Compare.Target.VERSION, Compare.Op.EQUAL, 0)
                : Compare.value(k, Compare.Op.EQUAL, expected.getBytes(UTF_8));
        var put = new TxnOp.Put(k, value.getBytes(UTF_8), 0, false);
        TxnResponse response = await(client.txn(List.of(compare), List.of(put), List.of()));
        return response.succeeded() ? response.revision() : -1;
    }

    @Override
    public long delete(String key) throws Exception {
        DeleteResponse response = await(client.delete(KeyRange.key(key.getBytes(UTF_8)), false));
        return response.deleted() > 0 ? response.revision() : -1;
    }

    @Override
    public long grantLease(long ttlSeconds) throws Exception {
        return await(client.leaseGrant(ttlSeconds)).id();
    }

    @Override
    public void keepAlive(long lease) throws Exception {
        await(client.leaseKeepAlive(lease));
    }

    @Override
    public void revoke(long lease) throws Exception {
        await(client.leaseRevoke(lease));
    }

    @Override
    public boolean leaseGone(Throwable failure) {
        return failure instanceof KvException kv && kv.code() == ErrorCode.LEASE_NOT_FOUND;
    }

    @Override
    public boolean neverRan(Throwable failure) {
        return failure instanceof KvException kv && NEVER_RAN.contains(kv.code());
    }

    @Override
    public String describe(Throwable failure) {
        return failure instanceof KvException kv
                ? "java " + kv.code().name().toLowerCase(java.util.Locale.ROOT)
                : "java " + failure.getClass().getSimpleName();
    }

    @Override
    public void close() {
        client.close();
    }
}
