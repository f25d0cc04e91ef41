package dev.aspen.mesh.metrics;

import dev.aspen.kv.DirectCommandLog;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvConfig;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvStateMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.assertj.core.api.Assertions;

/** A real single-node store in a temp dir (the kv tests' setup), and small helpers. */
final class LocalStore implements AutoCloseable {
    final KvStateMachine machine;
    final DirectCommandLog log;
    final KeyValueStore store;

    LocalStore(Path dir) {
        machine = KvStateMachine.open(KvConfig.builder(dir)
                .maxKeys(1_000)
                .maxLeases(10)
                .watchExecutor(Runnable::run)
                .build());
        log = new DirectCommandLog(machine);
        store = KeyValueStore.over(log, machine, null);
    }

    @Override
    public void close() {
        log.close();
        machine.close();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The KvException a future fails with. */
    static KvException failure(CompletableFuture<?> future) {
        return Assertions.catchThrowableOfType(() -> join(future), KvException.class);
    }

    /** The value of the series {@code series} (name with labels, as scraped), or NaN when absent. */
    static double sample(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        return Double.NaN;
    }
}
