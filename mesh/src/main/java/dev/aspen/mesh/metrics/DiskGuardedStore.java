package dev.aspen.mesh.metrics;

import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.ForwardingKeyValueStore;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvOperation;
import dev.aspen.kv.ReadConsistency;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A {@link KeyValueStore} that refuses writes while its {@link DiskGuard} says the disk is too full:
 * {@code put}, {@code delete}, {@code putAll}, every {@code txn} (even one that only reads) and
 * {@code leaseGrant} fail with {@code unavailable} and the guard's message, without reaching the
 * wrapped store. Reads, watches, lease keep-alives (they only restart a timer) and revokes (they
 * free space) always pass. Never blocks: the guard answers from its cached reading.
 */
public final class DiskGuardedStore extends ForwardingKeyValueStore {
    private static final Set<KvOperation> WRITES = EnumSet.of(
            KvOperation.PUT, KvOperation.DELETE, KvOperation.PUT_ALL, KvOperation.TXN, KvOperation.LEASE_GRANT);

    private final DiskGuard guard;

    /** Wraps {@code delegate}, refusing its writes while {@code guard} refuses them. */
    public DiskGuardedStore(KeyValueStore delegate, DiskGuard guard) {
        super(delegate);
        this.guard = Objects.requireNonNull(guard, "guard");
    }

    @Override
    protected <T> CompletableFuture<T> around(
            KvOperation op, ReadConsistency consistency, Function<KeyValueStore, CompletableFuture<T>> call) {
        if (WRITES.contains(op)) {
            Optional<String> refusal = guard.writeRefusal();
            if (refusal.isPresent()) {
                guard.countRefusal();
                return CompletableFuture.failedFuture(KvException.of(ErrorCode.UNAVAILABLE, refusal.get()));
            }
        }
        return call.apply(delegate());
    }
}
