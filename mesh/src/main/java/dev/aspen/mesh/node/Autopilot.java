package dev.aspen.mesh.node;

import dev.aspen.consensus.GroupMembers;
import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.mesh.cluster.ClusterStatus;
import dev.aspen.tickets.NodeId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Decides membership changes on the leader: removes a voter that has been dead longer than the
 * grace period (never leaving fewer voters than a majority of the current ones), and promotes the
 * most caught-up live learner while there are fewer voters than the target. One change at a time;
 * nothing while a change is in progress. It only decides: the node carries the change out through
 * the same path as an operator's request and reports the outcome back with {@link #record}.
 *
 * <p>Also tracks, on every node, since when each member has looked dead, for the status view.
 * Thread-safe (all methods synchronized; called about once a second).
 */
final class Autopilot {
    /** A learner at most this many entries behind the commit index counts as caught up. */
    static final long CAUGHT_UP_LAG = 100;
    /** How many decisions the status keeps. */
    static final int MAX_DECISIONS = 32;

    /** A change to make: {@code promote} or {@code remove} {@code node}, and why. */
    record Action(String action, NodeId node, String reason) {}

    private final NodeId self;
    private final int targetVoters;
    private final Duration deadVoterGrace;
    private final Clock timer;
    private final Clock wall;
    private final Function<NodeId, ClusterStatus.Health> health;
    private final Map<NodeId, Dead> deadSince = new HashMap<>();
    private final ArrayDeque<ClusterStatus.Decision> decisions = new ArrayDeque<>();
    private boolean active;

    /**
     * @param timer measures the grace period: monotonic in the node ({@code MonotonicClock}), so a
     *     wall clock set forward cannot make a voter that died a second ago look dead for hours
     * @param wall dates what the status shows (dead since, decision times)
     */
    Autopilot(
            NodeId self,
            int targetVoters,
            Duration deadVoterGrace,
            Clock timer,
            Clock wall,
            Function<NodeId, ClusterStatus.Health> health) {
        this.self = self;
        this.targetVoters = targetVoters;
        this.deadVoterGrace = deadVoterGrace;
        this.timer = timer;
        this.wall = wall;
        this.health = health;
    }

    /**
     * Updates the dead-since tracking from {@code report} and, on the leader, returns the change to
     * make now, if any.
     */
    synchronized Optional<Action> plan(RaftGroupReport report) {
        long now = timer.millis();
        GroupMembers members = report.committedMembers();
        for (NodeEndpoint member : members.members()) {
            NodeId node = member.nodeId();
            if (node.equals(self) || health.apply(node) == ClusterStatus.Health.ALIVE) {
                deadSince.remove(node);
            } else {
                deadSince.computeIfAbsent(node, n -> new Dead(now, wall.instant()));
            }
        }
        deadSince.keySet().removeIf(node -> !members.members().contains(new NodeEndpoint(node)));
        active = report.role() == RaftGroupReport.Role.LEADER;
        if (!active || report.status() != RaftGroupReport.Status.ACTIVE) {
            return Optional.empty();
        }
        List<NodeId> voters =
                members.votingMembers().stream().map(NodeEndpoint::nodeId).toList();
        Optional<NodeId> longestDead = voters.stream()
                .filter(deadSince::containsKey)
                .filter(node -> now - deadSince.get(node).timerMillis() >= deadVoterGrace.toMillis())
                .min(Comparator.comparingLong(node -> deadSince.get(node).timerMillis()));
        int majority = voters.size() / 2 + 1;
        if (longestDead.isPresent() && voters.size() - 1 >= majority) {
            NodeId node = longestDead.get();
            return Optional.of(new Action(
                    "remove",
                    node,
                    "voter dead since " + deadSince.get(node).since() + ", longer than the grace period of "
                            + deadVoterGrace.toSeconds() + " s"));
        }
        if (voters.size() < targetVoters) {
            return members.learners().stream()
                    .map(NodeEndpoint::nodeId)
                    .filter(node -> !deadSince.containsKey(node))
                    .filter(node -> lag(report, node) <= CAUGHT_UP_LAG)
                    .min(Comparator.comparingLong((NodeId node) -> lag(report, node))
                            .thenComparing(Comparator.naturalOrder()))
                    .map(node -> new Action(
                            "promote",
                            node,
                            voters.size() + " voters, target " + targetVoters + "; learner is caught up (lag "
                                    + lag(report, node) + ")"));
        }
        return Optional.empty();
    }

    /** The leader's view of how far behind {@code node} is (a large number when unknown). */
    static long lag(RaftGroupReport report, NodeId node) {
        Long match = report.followerMatchIndex().get(new NodeEndpoint(node));
        return match == null ? Long.MAX_VALUE : Math.max(0, report.commitIndex() - match);
    }

    /** Records what became of an action. */
    synchronized void record(Action action, String outcome) {
        decisions.addLast(
                new ClusterStatus.Decision(wall.instant(), action.action(), action.node(), action.reason(), outcome));
        while (decisions.size() > MAX_DECISIONS) {
            decisions.removeFirst();
        }
    }

    /** Since when {@code node} has looked dead, if it does. */
    synchronized Optional<Instant> deadSince(NodeId node) {
        return Optional.ofNullable(deadSince.get(node)).map(Dead::since);
    }

    /** When a node was first seen dead: on the timer (for the grace) and on the wall clock (shown). */
    private record Dead(long timerMillis, Instant since) {}

    synchronized ClusterStatus.Autopilot status() {
        return new ClusterStatus.Autopilot(active, targetVoters, deadVoterGrace, List.copyOf(decisions));
    }
}
