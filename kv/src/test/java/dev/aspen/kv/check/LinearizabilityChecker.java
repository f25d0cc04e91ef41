package dev.aspen.kv.check;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks that a history of register operations is linearizable: the Wing–Gong search with Lowe's
 * memoization of (linearized set, state), run per key (P-compositionality: a history is
 * linearizable iff each key's sub-history is).
 *
 * <p>Operations with an unknown outcome may be linearized anywhere after their call, or never.
 * Each stays a candidate at every later point of the search, so a run of them (a leader loss)
 * multiplies the states the search may have to undo. Most never took effect, so each key is first
 * searched without the unknown operations whose effect nobody observed: a linearization found
 * there is one of the whole history in which they never happened. Only when that fails does the
 * search place them too, and its verdict is the answer.
 *
 * <p>Each search is bounded by {@code maxSteps}; exceeding it is reported, never guessed.
 */
public final class LinearizabilityChecker {
    private static final int EXPLAIN_PRECEDING = 5;

    private final long maxSteps;

    public LinearizabilityChecker(long maxSteps) {
        this.maxSteps = maxSteps;
    }

    /** The verdict for a whole history. */
    public record Result(boolean linearizable, String explanation) {}

    /**
     * Checks every key's operations, starting from an absent value.
     *
     * @param histories key → its operations, in any order
     */
    public Result check(Map<String, List<RegisterOp>> histories) {
        for (var entry : new TreeMap<>(histories).entrySet()) {
            Result result = checkKey(entry.getValue());
            if (!result.linearizable()) {
                return new Result(false, "key " + entry.getKey() + ": " + result.explanation());
            }
        }
        return new Result(true, "linearizable");
    }

    private record Entry(int op, boolean isCall, long time) {}

    /** Checks one key's history. */
    public Result checkKey(List<RegisterOp> ops) {
        List<RegisterOp> observedOnly = withoutUnobservedUnknowns(ops);
        if (observedOnly.size() < ops.size()) {
            Result quick = search(observedOnly);
            if (quick.linearizable()) {
                return quick;
            }
        }
        return search(ops);
    }

    /**
     * The history without the unknown-outcome operations whose effect no completed operation saw: a
     * write or cas whose value nobody read or successfully compared against, a delete after whose
     * call nobody saw the key absent.
     */
    private static List<RegisterOp> withoutUnobservedUnknowns(List<RegisterOp> ops) {
        Set<String> seenValues = new HashSet<>();
        long lastSawAbsent = Long.MIN_VALUE;
        for (RegisterOp op : ops) {
            boolean sees = op.completed()
                    && (op.kind() == RegisterOp.Kind.READ || (op.kind() == RegisterOp.Kind.CAS && op.ok()));
            if (!sees) {
                continue;
            }
            String seen = op.kind() == RegisterOp.Kind.READ ? op.value() : op.expected();
            if (seen == null) {
                lastSawAbsent = Math.max(lastSawAbsent, op.returnTime());
            } else {
                seenValues.add(seen);
            }
        }
        long sawAbsentUntil = lastSawAbsent;
        return ops.stream()
                .filter(op -> op.completed()
                        || (op.kind() == RegisterOp.Kind.DELETE
                                ? op.callTime() < sawAbsentUntil
                                : seenValues.contains(op.value())))
                .toList();
    }

    private Result search(List<RegisterOp> ops) {
        int n = ops.size();
        List<Entry> entries = new ArrayList<>(2 * n);
        int completed = 0;
        for (int i = 0; i < n; i++) {
            RegisterOp op = ops.get(i);
            entries.add(new Entry(i, true, op.callTime()));
            if (op.completed()) {
                entries.add(new Entry(i, false, op.returnTime()));
                completed++;
            }
        }
        // Calls sort before returns at the same instant: such operations overlap.
        entries.sort(Comparator.comparingLong(Entry::time).thenComparing(e -> !e.isCall()));

        var search = new Search(ops, entries, completed);
        return search.run();
    }

    private final class Search {
        private final List<RegisterOp> ops;
        private final List<Entry> entries;
        private final int completedCount;
        private final BitSet linearized = new BitSet();
        private final BitSet removed = new BitSet();
        private final Set<Object> seen = new HashSet<>();
        private final ChoiceStack stack = new ChoiceStack();
        private int completedLinearized;
        private long steps;
        /** The return entry the search got stuck on when it had placed the most operations. */
        private Entry stuck;

        private int stuckDepth;

        Search(List<RegisterOp> ops, List<Entry> entries, int completedCount) {
            this.ops = ops;
            this.entries = entries;
            this.completedCount = completedCount;
        }

        Result run() {
            String state = null;
            int position = 0;
            while (completedLinearized < completedCount) {
                if (++steps > maxSteps) {
                    return new Result(false, "search gave up after " + maxSteps + " steps (history too ambiguous)");
                }
                position = nextLive(position);
                Entry entry = entries.get(position);
                if (entry.isCall()) {
                    RegisterOp op = ops.get(entry.op());
                    String next = op.step(state);
                    boolean fresh = false;
                    if (next != RegisterOp.INCONSISTENT) {
                        linearized.set(entry.op());
                        fresh = seen.add(List.of(linearized.clone(), Objects.requireNonNullElse(next, "\0absent")));
                        if (!fresh) {
                            linearized.clear(entry.op());
                        }
                    }
                    if (fresh) {
                        stack.push(entry.op(), state, position);
                        removed.set(entry.op());
                        if (op.completed()) {
                            completedLinearized++;
                        }
                        state = next;
                        position = 0;
                    } else {
                        position++;
                    }
                } else {
                    // A return whose operation is not linearized yet: undo the last choice.
                    if (stuck == null || completedLinearized > stuckDepth) {
                        stuck = entry;
                        stuckDepth = completedLinearized;
                    }
                    if (stack.isEmpty()) {
                        return new Result(false, explain(stuck));
                    }
                    int op = stack.topOp();
                    state = stack.topState();
                    position = stack.topPosition() + 1;
                    stack.pop();
                    linearized.clear(op);
                    removed.clear(op);
                    if (ops.get(op).completed()) {
                        completedLinearized--;
                    }
                }
            }
            return new Result(true, "linearizable");
        }

        /** The first entry at or after {@code from} whose operation is not linearized yet. */
        private int nextLive(int from) {
            int i = from;
            while (removed.get(entries.get(i).op())) {
                i++;
            }
            return i;
        }

        /**
         * The stuck operation, the operations overlapping it, and the last few that completed before
         * it started: the smallest window that shows why it cannot be placed.
         */
        private String explain(Entry stuck) {
            RegisterOp culprit = ops.get(stuck.op());
            var out = new StringBuilder(
                    "no legal register order places " + culprit + ". Overlapping and preceding operations:");
            ops.stream()
                    .filter(op -> op.returnTime() < culprit.callTime())
                    .sorted(Comparator.comparingLong(RegisterOp::returnTime).reversed())
                    .limit(EXPLAIN_PRECEDING)
                    .sorted(Comparator.comparingLong(RegisterOp::callTime))
                    .forEach(op -> out.append("\n  before:  ").append(op));
            ops.stream()
                    .filter(op -> op != culprit
                            && op.callTime() <= culprit.returnTime()
                            && op.returnTime() >= culprit.callTime())
                    .sorted(Comparator.comparingLong(RegisterOp::callTime))
                    .forEach(op -> out.append("\n  overlaps: ").append(op));
            return out.toString();
        }
    }

    /** A plain stack of (op, state before, entry position). */
    private static final class ChoiceStack {
        private final List<Object[]> items = new ArrayList<>();

        void push(int op, String state, int position) {
            items.add(new Object[] {op, state, position});
        }

        boolean isEmpty() {
            return items.isEmpty();
        }

        int topOp() {
            return (Integer) items.get(items.size() - 1)[0];
        }

        String topState() {
            return (String) items.get(items.size() - 1)[1];
        }

        int topPosition() {
            return (Integer) items.get(items.size() - 1)[2];
        }

        void pop() {
            items.remove(items.size() - 1);
        }
    }
}
