package dev.aspen.examples;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeReplicaTest {
    @TempDir
    Path dir;

    @Test
    void theEdgeServesStaleReadsWhileCutOffStaysALearnerAndCatchesUpAfterItsLinkReturns() throws Exception {
        var result = ExampleProcess.run(dir, EdgeReplica.class).succeeded();

        result.line("edge \\w+ joined as a learner; the core keeps its 3 voters");
        result.line("edge: stale read price -> 10 at revision 1");
        result.line("the edge link drops: every QUIC link between the edge and the core is cut, both ways");
        result.line("core: still has quorum without the edge: put price = 11, then 12 \\(revision 3\\)");
        // Cut off, the edge cannot have heard of 11 or 12: its copy still says 10.
        result.line("edge: cut off, its local copy still answers at once: price -> 10 at revision 1");
        result.line("edge: a linearizable read needs the core: fails with (unavailable|not_leader)");
        result.line("edge: caught up: stale read price -> 12 at revision 3");
        result.line("edge is still a learner: true");
    }
}
