package dev.aspen.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.tickets.ClusterTicket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TicketJoinTest {
    @TempDir
    Path dir;

    @Test
    void aNodeGivenOnlyAJoinTicketJoinsAndIsPromoted() throws Exception {
        var result = ExampleProcess.run(dir, TicketJoin.class).succeeded();

        String ticket = result.line("ticket: (aspen\\w+)").group(1);
        String joinTicket = result.line("join ticket: (aspen\\w+)").group(1);
        assertThat(ClusterTicket.parse(ticket).joinSecret()).isEmpty();
        assertThat(ClusterTicket.parse(joinTicket).joinSecret()).isPresent();
        assertThat(ClusterTicket.parse(joinTicket).clusterId())
                .isEqualTo(ClusterTicket.parse(ticket).clusterId());
        String joiner = result.line("new node (\\w+) started with only the join ticket \\(no cookie\\)")
                .group(1);
        result.line("it fetched the cluster key with the ticket's join secret: cluster-key stored, cookie absent");
        result.line("added: " + joiner + " is a member");
        result.line("promoted: " + joiner + " is now a voter; the cluster has 2 voters");
        result.line("autopilot decision: promote " + joiner + " because 1 voters, target 3.* -> ok");
        result.line("get greeting on the new node -> hello from before the join");
    }
}
