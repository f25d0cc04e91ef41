package dev.aspen.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.mesh.node.AspenNode;
import java.nio.file.Path;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvOperationsTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void kwikThreadsMayThrow() {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    @Test
    void runsEveryOperationAgainstTheClusterOfATicketFromTheEnvironment() throws Exception {
        String cookie = "kv-operations-test";
        try (AspenNode node = AspenNode.start(NodeConfig.builder(dir.resolve("node"))
                .cookie(cookie)
                .lan(false)
                .build())) {
            var env = Map.of("ASPEN_TICKET", node.ticket().toString(), "ASPEN_COOKIE", cookie);

            var result = ExampleProcess.run(dir, env, KvOperations.class).succeeded();

            result.line("connecting to the cluster of the given ticket");
            result.line("get kv-example/color -> blue");
            result.line("putAll: 3 keys at one revision");
            result.line("scan kv-example/fruit/ -> kv-example/fruit/plum = 7");
            result.line("txn: if color == blue then set it to green -> swapped");
            result.line("txn: if color == blue then set it to green -> not swapped, color is already green");
            result.line("keep-alive 3 after 3 s: session still there: true");
            result.line("lease expired after about \\d+ s: kv-example/session is gone");
            result.line("keep-alive on the expired lease fails: lease_not_found");
            result.line("  watch event: PUT kv-example/fruit/pear = 5");
            result.line("  watch event: DELETE kv-example/session");
            result.line("cleaned up: deleted 4 keys under kv-example/");
            assertThat(result.lines()).noneMatch(line -> line.contains("watch cancelled"));
            // The example cleaned up after itself on the cluster it was given.
            assertThat(node.kv().get("kv-example/color".getBytes()).get().kv()).isEmpty();
        }
    }

    @Test
    void startsItsOwnNodeWhenGivenNoTicket() throws Exception {
        var result = ExampleProcess.run(dir, KvOperations.class).succeeded();

        result.line("no ticket given: started a one-node cluster of our own, ticket aspen");
        result.line("keep-alive on the expired lease fails: lease_not_found");
    }

    @Test
    void refusesATicketWithoutACookie() throws Exception {
        var result = ExampleProcess.run(dir, KvOperations.class, "aspen-ticket-only");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("give both a ticket and a cookie");
    }
}
