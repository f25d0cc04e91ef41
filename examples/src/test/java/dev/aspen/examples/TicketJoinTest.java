package dev.aspen.examples;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TicketJoinTest {
    @TempDir
    Path dir;

    @Test
    void aNodeGivenOnlyTheTicketJoinsAndIsPromoted() throws Exception {
        var result = ExampleProcess.run(dir, TicketJoin.class).succeeded();

        result.line("ticket: aspen\\w+");
        String joiner = result.line("new node (\\w+) started with only the ticket and the cookie")
                .group(1);
        result.line("added: " + joiner + " is a member");
        result.line("promoted: " + joiner + " is now a voter; the cluster has 2 voters");
        result.line("autopilot decision: promote " + joiner + " because 1 voters, target 3.* -> ok");
        result.line("get greeting on the new node -> hello from before the join");
    }
}
