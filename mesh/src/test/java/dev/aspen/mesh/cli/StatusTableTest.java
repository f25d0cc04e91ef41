package dev.aspen.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.mesh.cluster.ClusterStatus;
import dev.aspen.tickets.ClusterId;
import dev.aspen.tickets.NodeId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusTableTest {
    @Test
    void aStatusWithoutAKnownLeaderStillRenders() {
        NodeId node = NodeId.ofBytes(new byte[NodeId.LENGTH]);
        var member = new ClusterStatus.Member(
                node,
                true,
                Optional.empty(),
                Optional.empty(),
                ClusterStatus.Health.SELF,
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
        var status = new ClusterStatus(
                ClusterId.ofBytes(new byte[ClusterId.LENGTH]),
                node,
                "follower",
                Optional.empty(),
                3,
                10,
                10,
                1,
                List.of(node),
                List.of(member),
                new ClusterStatus.Autopilot(false, 3, Duration.ofSeconds(30), List.of()));

        String table = StatusTable.render(status);

        assertThat(table).contains("leader unknown").contains(node + "  voter  self");
    }
}
