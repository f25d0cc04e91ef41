package dev.aspen.mesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.consensus.GroupMembers;
import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.mesh.cluster.ClusterStatus.Health;
import dev.aspen.tickets.NodeId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AutopilotTest {
    private static final Duration GRACE = Duration.ofSeconds(30);
    private final NodeId a = id(1);
    private final NodeId b = id(2);
    private final NodeId c = id(3);
    private final NodeId d = id(4);
    private final MutableClock clock = new MutableClock();
    private final MutableClock wall = new MutableClock();
    private final Map<NodeId, Health> health = new HashMap<>();
    private final Autopilot autopilot =
            new Autopilot(a, 3, GRACE, clock, wall, node -> health.getOrDefault(node, Health.ALIVE));

    @Test
    void aWallClockSetForwardDoesNotShortenTheGrace() {
        health.put(c, Health.DEAD);
        RaftGroupReport report = leader(List.of(a, b, c), List.of(), Map.of(b, 100L, c, 40L));
        autopilot.plan(report);
        wall.advance(Duration.ofHours(5));
        clock.advance(Duration.ofSeconds(1));

        assertThat(autopilot.plan(report)).isEmpty();
        assertThat(autopilot.deadSince(c)).contains(Instant.EPOCH);
        clock.advance(GRACE);
        assertThat(autopilot.plan(report)).map(Autopilot.Action::action).contains("remove");
    }

    @Test
    void removesAVoterDeadLongerThanTheGraceAndOnlyThen() {
        health.put(c, Health.DEAD);
        RaftGroupReport report = leader(List.of(a, b, c), List.of(), Map.of(b, 100L, c, 40L));

        assertThat(autopilot.plan(report)).isEmpty();
        clock.advance(GRACE.minusSeconds(1));
        assertThat(autopilot.plan(report)).isEmpty();
        clock.advance(Duration.ofSeconds(1));

        Optional<Autopilot.Action> action = autopilot.plan(report);
        assertThat(action).map(Autopilot.Action::action).contains("remove");
        assertThat(action).map(Autopilot.Action::node).contains(c);
        assertThat(autopilot.deadSince(c)).contains(Instant.EPOCH);
    }

    @Test
    void neverRemovesBelowAMajorityOfTheCurrentVoters() {
        health.put(b, Health.DEAD);
        RaftGroupReport report = leader(List.of(a, b), List.of(), Map.of(b, 10L));
        autopilot.plan(report);
        clock.advance(GRACE.multipliedBy(10));

        assertThat(autopilot.plan(report)).isEmpty();
    }

    @Test
    void aNodeThatComesBackIsNoLongerDead() {
        health.put(c, Health.DEAD);
        RaftGroupReport report = leader(List.of(a, b, c), List.of(), Map.of(b, 100L, c, 100L));
        autopilot.plan(report);
        clock.advance(GRACE.minusSeconds(1));
        health.put(c, Health.ALIVE);
        autopilot.plan(report);
        clock.advance(GRACE);

        assertThat(autopilot.plan(report)).isEmpty();
        assertThat(autopilot.deadSince(c)).isEmpty();
    }

    @Test
    void promotesTheMostCaughtUpLiveLearnerWhileBelowTarget() {
        RaftGroupReport report = leader(List.of(a, b), List.of(c, d), Map.of(b, 100L, c, 95L, d, 99L));

        Optional<Autopilot.Action> action = autopilot.plan(report);

        assertThat(action).map(Autopilot.Action::action).contains("promote");
        assertThat(action).map(Autopilot.Action::node).contains(d);
    }

    @Test
    void doesNotPromoteALaggingOrDeadLearner() {
        health.put(d, Health.DEAD);
        RaftGroupReport report = leader(
                List.of(a, b), List.of(c, d), Map.of(b, 1000L, c, 1000L - Autopilot.CAUGHT_UP_LAG - 1, d, 1000L));

        assertThat(autopilot.plan(report)).isEmpty();
    }

    @Test
    void doesNothingAtTheTargetOrWhenNotLeadingOrWhileAChangeIsPending() {
        assertThat(autopilot.plan(leader(List.of(a, b, c), List.of(d), Map.of(b, 9L, c, 9L, d, 9L))))
                .isEmpty();

        RaftGroupReport follower = report(
                RaftGroupReport.Role.FOLLOWER, RaftGroupReport.Status.ACTIVE, List.of(a, b), List.of(c), Map.of());
        assertThat(autopilot.plan(follower)).isEmpty();
        assertThat(autopilot.status().active()).isFalse();

        RaftGroupReport updating = report(
                RaftGroupReport.Role.LEADER,
                RaftGroupReport.Status.UPDATING_MEMBERS,
                List.of(a, b),
                List.of(c),
                Map.of(b, 9L, c, 9L));
        assertThat(autopilot.plan(updating)).isEmpty();
        assertThat(autopilot.status().active()).isTrue();
    }

    @Test
    void keepsABoundedHistoryOfDecisions() {
        var action = new Autopilot.Action("promote", b, "test");
        for (int i = 0; i < Autopilot.MAX_DECISIONS + 5; i++) {
            autopilot.record(action, "ok " + i);
        }

        var decisions = autopilot.status().decisions();
        assertThat(decisions).hasSize(Autopilot.MAX_DECISIONS);
        assertThat(decisions.get(decisions.size() - 1).outcome()).isEqualTo("ok " + (Autopilot.MAX_DECISIONS + 4));
    }

    private RaftGroupReport leader(List<NodeId> voters, List<NodeId> learners, Map<NodeId, Long> match) {
        return report(RaftGroupReport.Role.LEADER, RaftGroupReport.Status.ACTIVE, voters, learners, match);
    }

    private RaftGroupReport report(
            RaftGroupReport.Role role,
            RaftGroupReport.Status status,
            List<NodeId> voters,
            List<NodeId> learners,
            Map<NodeId, Long> match) {
        List<NodeEndpoint> all = new java.util.ArrayList<>(endpoints(voters));
        all.addAll(endpoints(learners));
        Map<NodeEndpoint, Long> matchIndex = new HashMap<>();
        match.forEach((node, index) -> matchIndex.put(new NodeEndpoint(node), index));
        long commit = match.values().stream().mapToLong(Long::longValue).max().orElse(0);
        return new RaftGroupReport(
                "kv",
                new NodeEndpoint(a),
                role,
                status,
                3,
                Optional.of(new NodeEndpoint(a)),
                commit,
                commit,
                commit,
                0,
                new GroupMembers(5, all, endpoints(voters)),
                matchIndex);
    }

    private static List<NodeEndpoint> endpoints(List<NodeId> nodes) {
        return nodes.stream().map(NodeEndpoint::new).toList();
    }

    private static NodeId id(int n) {
        byte[] bytes = new byte[NodeId.LENGTH];
        Arrays.fill(bytes, (byte) n);
        return NodeId.ofBytes(bytes);
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.EPOCH;

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
