package dev.aspen.mesh.loadgen;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongPredicate;

/**
 * An in-memory {@link Target} shared by several "connections": answers on another thread, counts
 * calls and the most operations ever outstanding, fails the calls a predicate picks, and never
 * answers gets when told to hang.
 */
final class FakeTarget {
    final AtomicLong calls = new AtomicLong();
    final AtomicLong puts = new AtomicLong();
    final AtomicLong gets = new AtomicLong();
    final Set<String> putKeys = ConcurrentHashMap.newKeySet();
    final AtomicInteger outstanding = new AtomicInteger();
    final AtomicInteger maxOutstanding = new AtomicInteger();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    private final List<BiConsumer<byte[], byte[]>> watchers = new CopyOnWriteArrayList<>();
    private final Executor executor;
    private final LongPredicate fails;
    private final boolean hangGets;

    FakeTarget(Executor executor, LongPredicate fails, boolean hangGets) {
        this.executor = executor;
        this.fails = fails;
        this.hangGets = hangGets;
    }

    Target.Factory factory() {
        return () -> {
            opened.incrementAndGet();
            return new Connection();
        };
    }

    private CompletableFuture<?> answer(Runnable effect) {
        long call = calls.incrementAndGet();
        maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
        var future = new CompletableFuture<Object>();
        executor.execute(() -> {
            effect.run();
            outstanding.decrementAndGet();
            if (fails.test(call)) {
                future.completeExceptionally(new IllegalStateException("injected failure of call " + call));
            } else {
                future.complete("ok");
            }
        });
        return future;
    }

    private final class Connection implements Target {
        @Override
        public CompletableFuture<?> put(byte[] key, byte[] value) {
            puts.incrementAndGet();
            return answer(() -> {
                putKeys.add(new String(key, StandardCharsets.US_ASCII));
                watchers.forEach(w -> w.accept(key, value));
            });
        }

        @Override
        public CompletableFuture<?> get(byte[] key, Consistency consistency) {
            gets.incrementAndGet();
            if (hangGets) {
                calls.incrementAndGet();
                return new CompletableFuture<>();
            }
            return answer(() -> {});
        }

        @Override
        public CompletableFuture<?> txn(byte[] key, byte[] value) {
            return put(key, value);
        }

        @Override
        public CompletableFuture<AutoCloseable> watch(byte[] prefix, BiConsumer<byte[], byte[]> onPut) {
            watchers.add(onPut);
            return CompletableFuture.completedFuture(() -> watchers.remove(onPut));
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }
}
