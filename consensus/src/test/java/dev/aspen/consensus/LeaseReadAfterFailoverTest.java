package dev.aspen.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.consensus.sim.RecordingStateMachine;
import dev.aspen.consensus.sim.SimCluster;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A lease read served by a leader that was just elected must see every write its predecessor
 * acknowledged. MicroRaft's lease read does not wait for the new leader to apply the entries it was
 * elected with (the real-process chaos suite caught reads of "absent" for acknowledged keys right
 * after a failover); {@link RaftGroup#query} serves such a read linearizably instead.
 */
class LeaseReadAfterFailoverTest {
    @Test
    void theFirstLeaseReadOnANewLeaderSeesThePredecessorsAcknowledgedWrite() {
        for (long seed = 1; seed <= 25; seed++) {
            SimCluster cluster = SimCluster.create(seed, 3, RaftGroupConfig.defaults());
            cluster.startAll();
            NodeEndpoint old = cluster.awaitLeader(10_000).orElseThrow();
            long id = cluster.nextCommandId();
            CompletableFuture<Result> write = cluster.node(old).group().replicate(RecordingStateMachine.command(id, 4));
            assertThat(cluster.await(write, 5000)).as(cluster.replayHint()).isTrue();
            cluster.crash(old);

            Optional<Boolean> seen = Optional.empty();
            for (int step = 0; step < 20_000 && seen.isEmpty(); step++) {
                cluster.scheduler().runFor(1);
                for (SimCluster.Node node : cluster.upNodes()) {
                    boolean leads = node.lastReport()
                            .filter(r -> r.role() == RaftGroupReport.Role.LEADER)
                            .isPresent();
                    if (leads) {
                        CompletableFuture<Result> read =
                                node.group().query(RecordingStateMachine.containsQuery(id), ReadConsistency.lease());
                        cluster.await(read, 2000);
                        if (read.isDone() && !read.isCompletedExceptionally()) {
                            seen = Optional.of((Boolean) read.join().value());
                        }
                        break;
                    }
                }
            }
            assertThat(seen)
                    .as("a lease read succeeded on the new leader; %s", cluster.replayHint())
                    .isPresent();
            assertThat(seen.get())
                    .as("the new leader's first lease read sees the acknowledged write; %s", cluster.replayHint())
                    .isTrue();
        }
    }
}
