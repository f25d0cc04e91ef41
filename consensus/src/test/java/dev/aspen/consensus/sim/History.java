package dev.aspen.consensus.sim;

import dev.aspen.consensus.NodeEndpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Global invariants of one simulated run, fed by every node and every incarnation: at most one
 * leader per term, and an index once applied anywhere always holds the same command everywhere
 * (applied implies committed, so this is "committed entries never change").
 */
public final class History {
    private static final int MAX_VIOLATIONS = 20;

    private final Map<Integer, NodeEndpoint> leaderOfTerm = new HashMap<>();
    private final Map<Long, Long> commandAtIndex = new HashMap<>();
    private final List<String> violations = new ArrayList<>();

    /** Records that {@code node} became leader of {@code term}. */
    public void leader(int term, NodeEndpoint node) {
        NodeEndpoint previous = leaderOfTerm.putIfAbsent(term, node);
        if (previous != null && !previous.equals(node)) {
            violation("two leaders in term " + term + ": " + previous + " and " + node);
        }
    }

    /** Records that {@code node} applied (or installed from a snapshot) command {@code id} at {@code index}. */
    public void applied(NodeEndpoint node, long index, long id) {
        Long previous = commandAtIndex.putIfAbsent(index, id);
        if (previous != null && previous != id) {
            violation("index " + index + " holds command " + previous + " elsewhere but " + id + " on " + node);
        }
    }

    /** Records a broken invariant. */
    public void violation(String description) {
        if (violations.size() < MAX_VIOLATIONS) {
            violations.add(description);
        }
    }

    /** The broken invariants (empty if none). */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** The command applied at each index so far. */
    public Map<Long, Long> commands() {
        return Map.copyOf(commandAtIndex);
    }

    /** Number of distinct terms that had a leader. */
    public int leaderTerms() {
        return leaderOfTerm.size();
    }
}
