package dev.aspen.examples;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeReplicaTest {
    @TempDir
    Path dir;

    @Test
    void theEdgeServesStaleReadsStaysALearnerAndCatchesUpAfterItsLinkReturns() throws Exception {
        var result = ExampleProcess.run(dir, EdgeReplica.class).succeeded();

        result.line("edge \\w+ joined as a learner; the core keeps its 3 voters");
        result.line("edge: stale read price -> 10 at revision 1");
        result.line("core: still has quorum without the edge: put price = 11, then 12 \\(revision 3\\)");
        // Right after the restart the edge answers from its own copy (price 10, or later if it was quick).
        result.line("edge: right after the restart, its local copy answers at once: price -> (10|11|12) ");
        result.line("edge: caught up: stale read price -> 12 at revision 3");
        result.line("edge is still a learner: true");
    }
}
