package dev.aspen.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BasicClusterTest {
    @TempDir
    Path dir;

    @Test
    void putsGetsDeletesAndStopsCleanly() throws Exception {
        var result = ExampleProcess.run(dir, BasicCluster.class).succeeded();

        result.line("it leads its one-node cluster: role leader");
        result.line("put hello = world \\(revision 1\\)");
        result.line("get hello -> world");
        result.line("delete hello -> 1 key deleted");
        result.line("get hello -> \\(not found\\)");
        assertThat(result.lines()).last().isEqualTo("node stopped cleanly");
    }

    @Test
    void keepsItsDataInAGivenDirectoryAcrossRuns() throws Exception {
        Path data = dir.resolve("data");

        ExampleProcess.run(dir, BasicCluster.class, data.toString()).succeeded();
        var second =
                ExampleProcess.run(dir, BasicCluster.class, data.toString()).succeeded();

        // The same node again (its identity is in the data dir), at the revisions after the first run's.
        second.line("put hello = world \\(revision 3\\)");
        assertThat(data.resolve("node-key.pem")).exists();
    }
}
