package dev.aspen.tests.chaos;

import dev.aspen.kv.WatchEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The promises of revisions and watches, against the register workload's writes (each put and cas
 * writes a value no other write uses, so an event names its write):
 *
 * <ul>
 *   <li><b>revision order</b>: acknowledged writes carry distinct revisions, and a write sent after
 *       another was acknowledged has a higher revision (revisions follow real time);
 *   <li><b>watch order</b>: each watcher is delivered revisions in increasing order, never one twice;
 *   <li><b>agreement</b>: watchers delivered the same change for the same revision;
 *   <li><b>no phantom events</b>: a put event shows a value some put or cas may have written (never
 *       one that failed definitively or whose compare did not hold), at the revision its write was
 *       acknowledged with; a delete event is of a key some delete may have removed;
 *   <li><b>no gaps</b>: every acknowledged write on the watched prefix, and every revision another
 *       watcher delivered, within what the watcher covered (from its start to the revision after the
 *       last it saw, minus revisions compacted away, which it records as gaps) was delivered to it.
 * </ul>
 */
final class WatchCheck {
    /** Explanations listed per check before the rest are only counted. */
    static final int MAX_LISTED = 20;

    private WatchCheck() {}

    /** One explanation per broken promise (at most {@link #MAX_LISTED} per check and watcher). */
    static List<String> check(List<Op> history, String prefix, List<Watcher.Record> watchers) {
        var out = new ArrayList<String>();
        List<Op> acked = history.stream()
                .filter(op -> op.revision() >= 0 && op.outcome() == Op.Outcome.OK)
                .toList();
        revisionOrder(acked, out);
        Map<Long, Watcher.Event> agreed = new TreeMap<>();
        for (Watcher.Record w : watchers) {
            order(w, out);
            for (Watcher.Event e : w.events()) {
                Watcher.Event other = agreed.putIfAbsent(e.revision(), e);
                if (other != null && !other.equals(e)) {
                    limited(out, "watchers disagree on revision " + e.revision() + ": " + other + " vs " + e);
                }
            }
        }
        var writesByValue = new HashMap<String, Op>();
        history.stream()
                .filter(op -> op.kind() == Op.Kind.PUT || op.kind() == Op.Kind.CAS)
                .forEach(op -> writesByValue.put(op.value(), op));
        agreed.values().forEach(e -> phantom(e, writesByValue, history).ifPresent(why -> limited(out, why)));
        for (Watcher.Record w : watchers) {
            missing(w, acked.stream().filter(op -> op.key().startsWith(prefix)).toList(), agreed, out);
        }
        return out;
    }

    private static void limited(List<String> out, String why) {
        if (out.size() < MAX_LISTED * 4) {
            out.add(why);
        }
    }

    /** Acknowledged writes: distinct revisions, increasing with real time. */
    private static void revisionOrder(List<Op> acked, List<String> out) {
        var byRevision = new HashMap<Long, Op>();
        for (Op op : acked) {
            Op other = byRevision.putIfAbsent(op.revision(), op);
            if (other != null) {
                limited(out, "two acknowledged writes at revision " + op.revision() + ":\n  " + other + "\n  " + op);
            }
        }
        List<Op> byReturn = new ArrayList<>(acked);
        byReturn.sort(Comparator.comparingLong(Op::returnTime));
        List<Op> byCall = new ArrayList<>(acked);
        byCall.sort(Comparator.comparingLong(Op::callTime));
        int done = 0;
        Op highest = null;
        for (Op op : byCall) {
            while (done < byReturn.size() && byReturn.get(done).returnTime() < op.callTime()) {
                Op finished = byReturn.get(done++);
                if (highest == null || finished.revision() > highest.revision()) {
                    highest = finished;
                }
            }
            if (highest != null && highest.revision() >= op.revision()) {
                limited(
                        out,
                        "revision went back in real time: sent after\n  " + highest + "\nwas acknowledged,\n  " + op
                                + "\nhas a revision no higher");
            }
        }
    }

    private static void order(Watcher.Record w, List<String> out) {
        long last = 0;
        String lastKey = null;
        for (Watcher.Event e : w.events()) {
            if (e.revision() < last || (e.revision() == last && e.key().equals(lastKey))) {
                limited(
                        out,
                        "watcher " + w.id() + " delivered revision " + e.revision() + " (" + e.key()
                                + ") after revision " + last);
            }
            last = e.revision();
            lastKey = e.key();
        }
    }

    private static Optional<String> phantom(Watcher.Event e, Map<String, Op> writesByValue, List<Op> history) {
        if (e.type() == WatchEvent.Type.DELETE) {
            boolean deleted = history.stream()
                    .anyMatch(op -> op.kind() == Op.Kind.DELETE && op.key().equals(e.key()) && op.mayHaveWritten());
            return deleted ? Optional.empty() : Optional.of("delete event with no delete that may have run: " + e);
        }
        Op write = writesByValue.get(e.value());
        if (write == null || !write.key().equals(e.key())) {
            return Optional.of("event for a value no put or cas on its key sent: " + e);
        }
        if (!write.mayHaveWritten() || write.outcome() == Op.Outcome.MISMATCH) {
            return Optional.of("event for a write that failed definitively: " + e + "\n  " + write);
        }
        if (write.revision() >= 0 && write.revision() != e.revision()) {
            return Optional.of("event at another revision than its write was acknowledged with: " + e + "\n  " + write);
        }
        return Optional.empty();
    }

    /** Acknowledged writes and other watchers' revisions this watcher covered but was not delivered. */
    private static void missing(Watcher.Record w, List<Op> acked, Map<Long, Watcher.Event> agreed, List<String> out) {
        var seen = new HashMap<Long, Watcher.Event>();
        w.events().forEach(e -> seen.putIfAbsent(e.revision(), e));
        int listed = 0;
        for (Op op : acked) {
            if (op.revision() < w.from() || w.gaps().stream().anyMatch(g -> g.contains(op.revision()))) {
                continue;
            }
            if (!seen.containsKey(op.revision()) && listed++ < MAX_LISTED) {
                out.add("watcher " + w.id() + " (from revision " + w.from() + ", reached " + (w.next() - 1)
                        + ") was not delivered the acknowledged " + op);
            }
        }
        for (Watcher.Event e : agreed.values()) {
            boolean covered = e.revision() >= w.from()
                    && e.revision() < w.next()
                    && w.gaps().stream().noneMatch(g -> g.contains(e.revision()));
            if (covered && !seen.containsKey(e.revision()) && listed++ < MAX_LISTED) {
                out.add("watcher " + w.id() + " skipped revision " + e.revision() + " another watcher got: " + e);
            }
        }
    }
}
