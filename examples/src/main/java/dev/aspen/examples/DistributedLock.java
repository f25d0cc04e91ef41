package dev.aspen.examples;

import static dev.aspen.examples.Examples.bytes;
import static dev.aspen.examples.Examples.join;
import static dev.aspen.examples.Examples.say;

import dev.aspen.mesh.client.AspenClient;
import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.mesh.node.AspenNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A lease-based lock with fencing tokens ({@link LeaseLock}), and why the token matters. Two
 * clients, A and B, want the same lock. A takes it and writes to a shared resource. Then A pauses
 * (a long garbage-collection pause or a frozen VM: none of its threads run, so it sends no
 * keep-alives). Its lease expires, the lock key goes, and B, which was waiting, takes the lock with
 * a larger token and writes. When A wakes up it still believes it holds the lock and writes again:
 * the resource refuses, because A's token is older than B's ({@link FencedResource}). Without that
 * check, A's late write would silently overwrite B's.
 *
 * <p>Usage: {@code DistributedLock} (one embedded node in a temporary directory; both clients
 * connect to it with its ticket and cookie, as separate programs would).
 */
public final class DistributedLock {
    private static final long TTL_SECONDS = 2;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private DistributedLock() {}

    public static void main(String[] args) {
        Examples.run(() -> {
            Path dataDir = Examples.tempDir("lock");
            String cookie = "lock-example-" + UUID.randomUUID();
            try (AspenNode node = AspenNode.start(NodeConfig.builder(dataDir)
                            .cookie(cookie)
                            .lan(false)
                            .build());
                    AspenClient a = AspenClient.connect(node.ticket(), cookie);
                    AspenClient b = AspenClient.connect(node.ticket(), cookie)) {
                say("one node running; clients A and B connected with its ticket");
                run(
                        new LeaseLock(a, bytes("locks/report"), TTL_SECONDS),
                        new LeaseLock(b, bytes("locks/report"), TTL_SECONDS));
            }
            Examples.deleteTree(dataDir);
        });
    }

    private static void run(LeaseLock lockOfA, LeaseLock lockOfB) throws Exception {
        FencedResource storage = new FencedResource();
        LeaseLock.Held a = lockOfA.acquire("A", WAIT);
        say(
                "A: lock acquired with token %d (lease %d, TTL %d s, kept alive every %d ms)",
                a.token(), a.lease(), TTL_SECONDS, TTL_SECONDS * 1000 / 3);
        report("A", storage.write("report written by A", a.token()), a.token());

        CompletableFuture<LeaseLock.Held> bWaits = CompletableFuture.supplyAsync(() -> {
            try {
                return lockOfB.acquire("B", WAIT);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        say("B: waiting for the lock");
        say("A: pauses (a long GC pause: no keep-alives are sent)");
        long pausedAt = System.nanoTime();
        a.stopKeepAlive();

        LeaseLock.Held b = join(bWaits.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS));
        say(
                "A's lease expired about %d ms after its pause; its lock key was deleted",
                Duration.ofNanos(System.nanoTime() - pausedAt).toMillis());
        say("B: lock acquired with token %d", b.token());
        report("B", storage.write("report written by B", b.token()), b.token());

        say("A: wakes up, still believes it holds the lock, and writes with its token %d", a.token());
        report("A", storage.write("report written by A after its pause", a.token()), a.token());
        say("storage holds: %s", storage.content());
        say("(without the token check, A's late write would have overwritten B's report)");

        lockOfB.release(b);
        say("B: lock released");
        lockOfA.release(a); // A's release is refused by the txn's compare: the key is not A's any more
    }

    private static void report(String who, FencedResource.Outcome outcome, long token) {
        if (outcome.accepted()) {
            say("storage: accepted the write of %s with token %d", who, token);
        } else {
            say(
                    "storage: rejected the write of %s: token %d is older than token %d already seen",
                    who, token, outcome.highestToken());
        }
    }
}
