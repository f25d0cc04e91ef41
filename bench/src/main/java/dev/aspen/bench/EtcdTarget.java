package dev.aspen.bench;

import dev.aspen.mesh.loadgen.Consistency;
import dev.aspen.mesh.loadgen.Target;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * A {@link Target} over one jetcd {@link Client} (one gRPC channel, requests spread round-robin over
 * the endpoints; members forward writes to their leader). Linearizable reads are etcd's default
 * reads; stale reads are its serializable reads; it has no lease reads.
 */
final class EtcdTarget implements Target {
    private static final GetOption LINEARIZABLE = GetOption.builder().build();
    private static final GetOption SERIALIZABLE =
            GetOption.builder().withSerializable(true).build();

    private final Client client;
    private final KV kv;

    private EtcdTarget(Client client) {
        this.client = client;
        this.kv = client.getKVClient();
    }

    /** Connects to {@code endpoints} ({@code http://127.0.0.1:2379}, ...); the channel opens lazily. */
    static EtcdTarget connect(List<String> endpoints) {
        return new EtcdTarget(
                Client.builder().endpoints(endpoints.toArray(String[]::new)).build());
    }

    @Override
    public CompletableFuture<?> put(byte[] key, byte[] value) {
        return kv.put(ByteSequence.from(key), ByteSequence.from(value));
    }

    @Override
    public CompletableFuture<?> get(byte[] key, Consistency consistency) {
        return switch (consistency) {
            case LINEARIZABLE -> kv.get(ByteSequence.from(key), LINEARIZABLE);
            case STALE -> kv.get(ByteSequence.from(key), SERIALIZABLE);
            case LEASE ->
                CompletableFuture.failedFuture(
                        new IllegalArgumentException("etcd has no lease reads: use linearizable or stale"));
        };
    }

    @Override
    public CompletableFuture<?> txn(byte[] key, byte[] value) {
        ByteSequence k = ByteSequence.from(key);
        return kv.txn()
                .If(new Cmp(k, Cmp.Op.GREATER, CmpTarget.version(-1)))
                .Then(Op.put(k, ByteSequence.from(value), PutOption.DEFAULT))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit();
    }

    @Override
    public CompletableFuture<AutoCloseable> watch(byte[] prefix, BiConsumer<byte[], byte[]> onPut) {
        var registered = new CompletableFuture<AutoCloseable>();
        WatchOption option =
                WatchOption.builder().isPrefix(true).withCreateNotify(true).build();
        Watch.Watcher[] watcher = new Watch.Watcher[1];
        watcher[0] = client.getWatchClient()
                .watch(
                        ByteSequence.from(prefix),
                        option,
                        Watch.listener(
                                response -> {
                                    if (response.isCreatedNotify()) {
                                        registered.complete(watcher[0]::close);
                                    }
                                    for (WatchEvent event : response.getEvents()) {
                                        if (event.getEventType() == WatchEvent.EventType.PUT) {
                                            onPut.accept(
                                                    event.getKeyValue().getKey().getBytes(),
                                                    event.getKeyValue()
                                                            .getValue()
                                                            .getBytes());
                                        }
                                    }
                                },
                                registered::completeExceptionally));
        return registered;
    }

    @Override
    public String errorCode(Throwable failure) {
        return Target.unwrap(failure) instanceof EtcdException etcd
                ? etcd.getErrorCode().name().toLowerCase(Locale.ROOT)
                : Target.super.errorCode(failure);
    }

    @Override
    public void close() {
        client.close();
    }
}
