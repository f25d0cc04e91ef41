package dev.aspen.kv;

import dev.aspen.kv.internal.Command;
import dev.aspen.kv.internal.CommandCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Shared helpers: small configs, byte strings, future unwrapping. */
final class Fixtures {
    private Fixtures() {}

    /** A small store: 20k keys, 16 MiB of large values, synchronous watch delivery. */
    static KvConfig.Builder small(Path dir) {
        return KvConfig.builder(dir)
                .maxKeys(20_000)
                .largeValueBytes(16L * 1024 * 1024)
                .watchExecutor(Runnable::run);
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static String keyText(KeyValue kv) {
        return s(kv.key());
    }

    static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] encode(Command c) {
        return CommandCodec.encode(c);
    }
}
