package dev.aspen.kv.replicated;

import dev.aspen.kv.check.RegisterOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the simulated clients saw, per key: register operations with virtual call and return times.
 * Writes whose outcome never became known stay in the history with an unknown outcome; writes that
 * provably had no effect and reads that failed are left out. Linearizable reads go into the main
 * history; lease and stale reads are kept apart (each is checked against the writes on its own).
 */
final class KvHistory {
    /** The consistency a read asked for. */
    enum ReadKind {
        LINEARIZABLE,
        LEASE,
        STALE
    }

    /** An operation the client issued and whose outcome is not recorded yet. */
    final class Pending {
        private final String key;
        private final RegisterOp call;
        private boolean settled;

        private Pending(String key, RegisterOp call) {
            this.key = key;
            this.call = call;
        }

        /** It completed with {@code op} (same client, kind and call time). */
        void complete(RegisterOp op, ReadKind read) {
            settle();
            (read == null ? writes : reads.get(read))
                    .computeIfAbsent(key, k -> new ArrayList<>())
                    .add(op);
            if (read == null) {
                acknowledged++;
            }
        }

        /** It provably had no effect (or is a read that failed): left out. */
        void discard() {
            settle();
            discarded++;
        }

        private void settle() {
            if (settled) {
                throw new IllegalStateException("operation settled twice: " + call);
            }
            settled = true;
            pending.remove(this);
        }
    }

    private final Map<String, List<RegisterOp>> writes = new TreeMap<>();
    private final Map<ReadKind, Map<String, List<RegisterOp>>> reads = new LinkedHashMap<>();
    private final List<Pending> pending = new ArrayList<>();
    private int acknowledged;
    private int discarded;

    KvHistory() {
        for (ReadKind kind : ReadKind.values()) {
            reads.put(kind, new TreeMap<>());
        }
    }

    /** Records the call of a write (a cas, a put, a delete) on {@code key}; reads pass null. */
    Pending call(String key, RegisterOp call) {
        Pending p = new Pending(key, call);
        pending.add(p);
        return p;
    }

    /**
     * The history to check: every write (still-pending ones with an unknown outcome) and the reads
     * of {@code kind}.
     */
    Map<String, List<RegisterOp>> history(ReadKind kind) {
        Map<String, List<RegisterOp>> out = new TreeMap<>();
        writes.forEach(
                (k, ops) -> out.computeIfAbsent(k, x -> new ArrayList<>()).addAll(ops));
        for (Pending p : pending) {
            if (p.call.kind() != RegisterOp.Kind.READ) {
                out.computeIfAbsent(p.key, x -> new ArrayList<>()).add(p.call.unknownOutcome());
            }
        }
        reads.get(kind).forEach((k, ops) -> out.computeIfAbsent(k, x -> new ArrayList<>())
                .addAll(ops));
        return out;
    }

    /** Number of reads of {@code kind} recorded. */
    int reads(ReadKind kind) {
        return reads.get(kind).values().stream().mapToInt(List::size).sum();
    }

    /** Writes acknowledged so far. */
    int acknowledged() {
        return acknowledged;
    }

    /** A one-line count of what was recorded. */
    String summary() {
        long unknown = pending.stream()
                .filter(p -> p.call.kind() != RegisterOp.Kind.READ)
                .count();
        return acknowledged + " acknowledged writes, " + unknown + " unknown, " + discarded + " without effect/failed, "
                + reads(ReadKind.LINEARIZABLE) + " linearizable / " + reads(ReadKind.LEASE) + " lease / "
                + reads(ReadKind.STALE) + " stale reads";
    }

    /** A digest of everything recorded, for the determinism test. */
    String fingerprint() {
        return writes + "|" + reads + "|" + pending.size();
    }
}
