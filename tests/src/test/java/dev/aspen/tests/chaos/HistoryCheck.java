package dev.aspen.tests.chaos;

import dev.aspen.kv.check.LinearizabilityChecker;
import dev.aspen.kv.check.RegisterOp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The checks of a chaos history, each against the promise of its consistency level:
 *
 * <ul>
 *   <li>linearizable: every key's puts, cas, deletes, linearizable reads and final read form a
 *       linearizable register history (Wing–Gong/Lowe, per key by P-compositionality);
 *   <li>lease: the same with the lease reads in place of the linearizable ones, reported apart;
 *   <li>stale: a stale read returns absent or a value some put or cas had been sent before the read
 *       returned — never an invented or future value;
 *   <li>durability: the final read of every key is the result of a write that nothing acknowledged
 *       later overwrote (or of a write with an unknown outcome): no acknowledged write is lost.
 * </ul>
 */
final class HistoryCheck {
    /** Search bound per key; a key that exceeds it is reported as inconclusive, never as passed. */
    static final long MAX_STEPS_PER_KEY = 2_000_000;

    private static final String GAVE_UP = "search gave up";

    private HistoryCheck() {}

    /**
     * What the checks found. Each list holds one explanation per offending key or read.
     *
     * @param keys keys in the history
     * @param linearizable violations of the linearizable history
     * @param lease violations of the lease-read history
     * @param stale stale reads of values nobody had sent
     * @param lost keys whose final value shows an acknowledged write lost
     * @param inconclusive keys the search gave up on
     */
    record Verdict(
            int keys,
            List<String> linearizable,
            List<String> lease,
            List<String> stale,
            List<String> lost,
            List<String> inconclusive) {
        /** Anomalies that break a promise Aspen makes unconditionally (lease reads are counted apart). */
        int anomalies() {
            return linearizable.size() + stale.size() + lost.size();
        }
    }

    static Verdict check(List<Op> history) {
        Map<String, List<Op>> byKey =
                history.stream().collect(Collectors.groupingBy(Op::key, TreeMap::new, Collectors.toList()));
        var checker = new LinearizabilityChecker(MAX_STEPS_PER_KEY);
        var linearizable = new ArrayList<String>();
        var lease = new ArrayList<String>();
        var stale = new ArrayList<String>();
        var lost = new ArrayList<String>();
        var inconclusive = new ArrayList<String>();
        byKey.forEach((key, ops) -> {
            classify(key, checker.checkKey(registerOps(ops, Op.Kind.READ_LINEARIZABLE)), linearizable, inconclusive);
            classify(key, checker.checkKey(registerOps(ops, Op.Kind.READ_LEASE)), lease, inconclusive);
            stale.addAll(inventedStaleReads(ops));
            lostWrite(key, ops).ifPresent(lost::add);
        });
        return new Verdict(byKey.size(), linearizable, lease, stale, lost, inconclusive);
    }

    private static void classify(
            String key, LinearizabilityChecker.Result result, List<String> violations, List<String> inconclusive) {
        if (result.linearizable()) {
            return;
        }
        String line = "key " + key + ": " + result.explanation();
        (result.explanation().startsWith(GAVE_UP) ? inconclusive : violations).add(line);
    }

    /** The key's writes plus its completed reads of one level and its final read, as register operations. */
    static List<RegisterOp> registerOps(List<Op> ops, Op.Kind readKind) {
        var out = new ArrayList<RegisterOp>();
        for (Op op : ops) {
            boolean finalRead = op.client() == Op.FINAL_READER;
            if (op.kind().isRead() && op.outcome() == Op.Outcome.OK && (op.kind() == readKind || finalRead)) {
                out.add(RegisterOp.read(op.client(), op.value(), op.callTime(), op.returnTime()));
            } else if (!op.kind().isRead()) {
                registerWrite(op).ifPresent(out::add);
            }
        }
        return out;
    }

    private static Optional<RegisterOp> registerWrite(Op op) {
        RegisterOp done =
                switch (op.kind()) {
                    case PUT -> RegisterOp.write(op.client(), op.value(), op.callTime(), op.returnTime());
                    case DELETE -> RegisterOp.delete(op.client(), op.callTime(), op.returnTime());
                    case CAS ->
                        RegisterOp.cas(
                                op.client(),
                                op.expected(),
                                op.value(),
                                op.outcome() == Op.Outcome.OK,
                                op.callTime(),
                                op.returnTime());
                    default -> throw new IllegalArgumentException("not a write: " + op);
                };
        return switch (op.outcome()) {
            case OK, MISMATCH -> Optional.of(done);
            case UNKNOWN -> Optional.of(done.unknownOutcome());
            case FAILED -> Optional.empty();
        };
    }

    private static List<String> inventedStaleReads(List<Op> ops) {
        var out = new ArrayList<String>();
        for (Op read : ops) {
            if (read.kind() != Op.Kind.READ_STALE || read.outcome() != Op.Outcome.OK || read.value() == null) {
                continue;
            }
            boolean sent = ops.stream()
                    .anyMatch(w -> w.mayHaveWritten()
                            && w.kind() != Op.Kind.DELETE
                            && w.value().equals(read.value())
                            && w.callTime() < read.returnTime());
            if (!sent) {
                out.add("stale read of a value no put or cas had sent: " + read);
            }
        }
        return out;
    }

    /**
     * The final read must show the result of a surviving write: one that may have applied (ok or
     * unknown) and that no acknowledged write sent after its acknowledgement overwrote. The absent
     * initial value survives only while no write was acknowledged at all.
     */
    static Optional<String> lostWrite(String key, List<Op> ops) {
        List<Op> finals = ops.stream()
                .filter(op -> op.client() == Op.FINAL_READER && op.outcome() == Op.Outcome.OK)
                .toList();
        if (finals.isEmpty()) {
            return Optional.of("key " + key + ": the final read did not complete");
        }
        String found = finals.get(finals.size() - 1).value();
        List<Op> writes = ops.stream().filter(Op::mayHaveWritten).toList();
        List<Op> surviving = writes.stream()
                .filter(w -> writes.stream()
                        .noneMatch(later -> later.outcome() == Op.Outcome.OK && later.callTime() > w.returnTime()))
                .toList();
        Set<String> allowed = new HashSet<>();
        surviving.forEach(w -> allowed.add(w.kind() == Op.Kind.DELETE ? null : w.value()));
        if (writes.stream().noneMatch(w -> w.outcome() == Op.Outcome.OK)) {
            allowed.add(null);
        }
        if (allowed.contains(found)) {
            return Optional.empty();
        }
        var why = new StringBuilder("key " + key + ": final read -> " + found + ", but only these writes survive:");
        surviving.forEach(w -> why.append("\n  ").append(w));
        if (surviving.isEmpty()) {
            why.append(" none");
        }
        return Optional.of(why.toString());
    }
}
