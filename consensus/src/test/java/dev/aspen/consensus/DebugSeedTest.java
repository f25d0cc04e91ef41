package dev.aspen.consensus;

import dev.aspen.consensus.sim.FaultScenario;
import dev.aspen.consensus.sim.SimCluster;
import org.junit.jupiter.api.Test;

class DebugSeedTest {
    @Test
    void debug() {
        long seed = Long.getLong("dbg.seed", 1008);
        FaultScenario s = FaultScenario.run(seed);
        System.out.println("FAILURES " + s.failures());
        SimCluster c = s.cluster();
        c.tracer(l -> {
            if (l.contains("-> am") || l.contains("sender=am"))
                System.out.println(l.length() > 400 ? l.substring(0, 400) : l);
        });
        c.scheduler().runFor(3000);
        c.tracer(l -> {});
        System.out.println("leader " + c.leader() + " time " + c.scheduler().nowMillis());
        for (SimCluster.Node n : c.nodes()) {
            System.out.println(n.endpoint() + " up=" + n.isUp() + " report=" + c.report(n.endpoint()));
            n.store()
                    .restoredState()
                    .ifPresent(rs -> System.out.println("  store snapshot="
                            + (rs.getSnapshotEntry() == null
                                    ? null
                                    : rs.getSnapshotEntry().getIndex() + "/t"
                                            + rs.getSnapshotEntry().getTerm())
                            + " entries="
                            + rs.getLogEntries().stream()
                                    .map(x -> x.getIndex() + "/t" + x.getTerm())
                                    .toList()));
            var e = n.stateMachine().entries();
            System.out.println("  applied=" + n.stateMachine().appliedIndex() + " entries=" + e.size() + " first="
                    + (e.isEmpty() ? "" : e.keySet().iterator().next()) + " last="
                    + (e.isEmpty() ? "" : ((java.util.TreeMap<Long, Long>) e).lastKey()));
        }
    }
}
