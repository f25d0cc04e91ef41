package dev.aspen.mesh.loadgen;

import dev.aspen.kv.Compare;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvException;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.WatchListener;
import dev.aspen.mesh.client.AspenClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * A {@link Target} over any Aspen {@link KeyValueStore}: an {@code AspenClient} (one QUIC
 * connection), or a replica's local store in process. Errors count under their wire codes
 * ({@code not_leader}, {@code unavailable}, ...).
 */
public final class AspenTarget implements Target {
    private final KeyValueStore store;
    private final Runnable onClose;

    /**
     * @param store the store operations go to
     * @param onClose run by {@link #close()}: closes the client behind {@code store}
     */
    public AspenTarget(KeyValueStore store, Runnable onClose) {
        this.store = store;
        this.onClose = onClose;
    }

    /** A target over {@code client}, closing it on {@link #close()}. */
    public static AspenTarget of(AspenClient client) {
        return new AspenTarget(client, client::close);
    }

    @Override
    public CompletableFuture<?> put(byte[] key, byte[] value) {
        return store.put(key, value);
    }

    @Override
    public CompletableFuture<?> get(byte[] key, Consistency consistency) {
        ReadConsistency level =
                switch (consistency) {
                    case LINEARIZABLE -> ReadConsistency.LINEARIZABLE;
                    case LEASE -> ReadConsistency.LEASE;
                    case STALE -> ReadConsistency.stale();
                };
        return store.get(key, level);
    }

    @Override
    public CompletableFuture<?> txn(byte[] key, byte[] value) {
        return store.txn(
                List.of(Compare.number(key, Compare.Target.VERSION, Compare.Op.GREATER, -1)),
                List.of(new TxnOp.Put(key, value, 0, false)),
                List.of(new TxnOp.Get(key)));
    }

    @Override
    public CompletableFuture<AutoCloseable> watch(byte[] prefix, BiConsumer<byte[], byte[]> onPut) {
        WatchListener listener = new WatchListener() {
            @Override
            public void onEvents(List<WatchEvent> events) {
                for (WatchEvent event : events) {
                    if (event.type() == WatchEvent.Type.PUT) {
                        onPut.accept(event.kv().key(), event.kv().value());
                    }
                }
            }

            @Override
            public void onCancelled(KvException reason) {
                // Puts still waiting for their event then time out and count as errors.
            }
        };
        return store.watch(KeyRange.prefix(prefix), 0, false, listener).thenApply(watch -> watch::close);
    }

    @Override
    public String errorCode(Throwable failure) {
        return Target.unwrap(failure) instanceof KvException kv
                ? kv.code().wireName()
                : Target.super.errorCode(failure);
    }

    @Override
    public void close() {
        onClose.run();
    }
}
