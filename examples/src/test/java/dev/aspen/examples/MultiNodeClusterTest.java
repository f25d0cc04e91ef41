package dev.aspen.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultiNodeClusterTest {
    @TempDir
    Path dir;

    @Test
    void threeNodesFormAndANewLeaderTakesWritesAfterTheLeaderStops() throws Exception {
        var result = ExampleProcess.run(dir, MultiNodeCluster.class).succeeded();

        String oldLeader =
                result.line("cluster formed: 3 voters, leader (\\w+)").group(1);
        result.line("put city = Lisbon through follower \\w+ \\(it forwards to the leader\\): revision 1");
        String newLeader = result.line("new leader: (\\w+)").group(1);
        assertThat(newLeader).isNotEqualTo(oldLeader);
        result.line("put city = Porto with 2 of 3 voters running: revision 2");
        result.line("get city on the new leader -> Porto");
        assertThat(result.lines()).last().isEqualTo("all nodes stopped");
    }
}
