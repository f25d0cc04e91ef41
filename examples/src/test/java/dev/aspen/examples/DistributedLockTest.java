package dev.aspen.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why the fencing token matters: a lock holder that paused past its lease's expiry still believes
 * it holds the lock; only the resource's token check stops its late write.
 */
class DistributedLockTest {
    @TempDir
    Path dir;

    @Test
    void aPausedHolderWhoseLeaseExpiredIsRejectedByTheFencedResource() throws Exception {
        var result = ExampleProcess.run(dir, DistributedLock.class).succeeded();

        long tokenOfA =
                Long.parseLong(result.line("A: lock acquired with token (\\d+)").group(1));
        long tokenOfB =
                Long.parseLong(result.line("B: lock acquired with token (\\d+)").group(1));
        assertThat(tokenOfB).isGreaterThan(tokenOfA);
        result.line("A's lease expired about \\d+ ms after its pause");
        result.line("storage: accepted the write of B with token " + tokenOfB);
        result.line("storage: rejected the write of A: token " + tokenOfA + " is older than token " + tokenOfB);
        result.line("storage holds: report written by B");
        result.line("B: lock released");
    }

    @Test
    void withoutTheTokenCheckTheLateWriteWouldWin() {
        // The same sequence against the resource alone: A (token 1) pauses, B (token 3) writes, A writes.
        FencedResource fenced = new FencedResource();
        fenced.write("A", 1);
        fenced.write("B", 3);
        FencedResource.Outcome late = fenced.write("A after its pause", 1);

        assertThat(late.accepted()).isFalse();
        assertThat(late.highestToken()).isEqualTo(3);
        assertThat(fenced.content()).isEqualTo("B");
        // A newer or equal token (the same holder writing again) is accepted.
        assertThat(fenced.write("B again", 3).accepted()).isTrue();
    }
}
