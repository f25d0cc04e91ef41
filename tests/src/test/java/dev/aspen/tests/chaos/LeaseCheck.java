package dev.aspen.tests.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The promises of leases, checked per cycle (one lease, one key) on linearizable reads:
 *
 * <ul>
 *   <li><b>kept</b>: while the lease lives the key is there. A grant or keep-alive acknowledged
 *       after being sent at {@code s} keeps the lease until at least {@code s + TTL} (the leader
 *       starts the TTL when it applies it, and a new leader restarts every TTL), so a read sent after
 *       the put was acknowledged and answered before that instant (and before any revoke was sent)
 *       must return the value; a keep-alive, revoke or put answered {@code lease_not_found} before it
 *       is an early expiry.
 *   <li><b>revoked</b>: a read sent after a revoke was acknowledged finds the key absent.
 *   <li><b>expired</b>: a read sent more than TTL + {@link #EXPIRY_SLACK} after the last renewal was
 *       acknowledged finds the key absent — unless a fault was injected in between (a new leader
 *       restarts the TTL) or a renewal has an unknown outcome; those cycles are held to the final
 *       check only (every lease key is gone once the healed cluster had time to expire it).
 *   <li>reads return absent or the cycle's own value, never anything else.
 * </ul>
 */
final class LeaseCheck {
    /**
     * Expiry may lag the TTL by this much: the leader's expiry scan (every 500 ms), the commit of
     * the expiry, and one leader change the nemesis did not cause (a new leader restarts the TTL).
     */
    static final Duration EXPIRY_SLACK = Duration.ofSeconds(LeaseWorkload.TTL_SECONDS + 6);

    private static final long TTL = TimeUnit.SECONDS.toNanos(LeaseWorkload.TTL_SECONDS);

    private LeaseCheck() {}

    /** One explanation per broken promise. */
    static List<String> check(List<LeaseOp> history, List<Nemesis.Window> faults) {
        Map<String, List<LeaseOp>> byKey =
                history.stream().collect(Collectors.groupingBy(LeaseOp::key, TreeMap::new, Collectors.toList()));
        var out = new ArrayList<String>();
        byKey.forEach((key, ops) -> {
            ops.sort(Comparator.comparingLong(LeaseOp::callTime));
            checkCycle(ops, faults).ifPresent(why -> out.add("lease key " + key + ": " + why + cycleText(ops)));
        });
        return out;
    }

    private static String cycleText(List<LeaseOp> ops) {
        return ops.stream().map(op -> "\n  " + op).collect(Collectors.joining());
    }

    private static Optional<String> checkCycle(List<LeaseOp> ops, List<Nemesis.Window> faults) {
        LeaseOp put = first(ops, LeaseOp.Kind.PUT);
        List<LeaseOp> reads = ops.stream()
                .filter(op -> op.kind() == LeaseOp.Kind.READ && op.outcome() == LeaseOp.Outcome.OK)
                .toList();
        for (LeaseOp read : reads) {
            boolean mayExist =
                    put != null && (put.outcome() == LeaseOp.Outcome.OK || put.outcome() == LeaseOp.Outcome.UNKNOWN);
            if (read.value() != null && !(mayExist && read.value().equals(put.value()))) {
                return Optional.of("a read returned a value no put of this cycle may have written");
            }
        }
        long liveUntil = liveUntil(ops);
        for (LeaseOp op : ops) {
            if (op.outcome() == LeaseOp.Outcome.GONE && op.returnTime() < liveUntil) {
                return Optional.of("the lease was gone (" + op.kind() + " answered lease_not_found) at "
                        + op.returnTime() + ", before " + liveUntil + " (TTL after an acknowledged renewal)");
            }
        }
        if (put == null || put.outcome() != LeaseOp.Outcome.OK) {
            return Optional.empty();
        }
        for (LeaseOp read : reads) {
            if (read.value() == null && read.callTime() > put.returnTime() && read.returnTime() < liveUntil) {
                return Optional.of("a read answered at " + read.returnTime()
                        + " missed the key while its lease was alive (until at least " + liveUntil + ")");
            }
        }
        long revoked = ops.stream()
                .filter(op -> op.kind() == LeaseOp.Kind.REVOKE && op.outcome() == LeaseOp.Outcome.OK)
                .mapToLong(LeaseOp::returnTime)
                .min()
                .orElse(Long.MAX_VALUE);
        for (LeaseOp read : reads) {
            if (read.value() != null && read.callTime() > revoked) {
                return Optional.of(
                        "a read sent at " + read.callTime() + " found the key after the revoke was acknowledged");
            }
        }
        return expiredButPresent(ops, reads, faults);
    }

    /** The first read past the expiry bound that still found the key, for cycles the bound applies to. */
    private static Optional<String> expiredButPresent(
            List<LeaseOp> ops, List<LeaseOp> reads, List<Nemesis.Window> faults) {
        boolean uncertain = ops.stream()
                .anyMatch(op -> op.outcome() == LeaseOp.Outcome.UNKNOWN
                        && (op.kind() == LeaseOp.Kind.KEEPALIVE || op.kind() == LeaseOp.Kind.REVOKE));
        if (uncertain) {
            return Optional.empty();
        }
        LeaseOp last = ops.stream()
                .filter(LeaseCheck::isRenewal)
                .max(Comparator.comparingLong(LeaseOp::returnTime))
                .orElse(null);
        if (last == null) {
            return Optional.empty();
        }
        long bound = last.returnTime() + TTL + EXPIRY_SLACK.toNanos();
        for (LeaseOp read : reads) {
            if (read.value() != null
                    && read.callTime() > bound
                    && faults.stream().noneMatch(f -> f.overlaps(last.callTime(), read.returnTime()))) {
                return Optional.of("a read sent at " + read.callTime()
                        + " found the key after TTL + " + EXPIRY_SLACK.toSeconds()
                        + " s since the last renewal, with no fault in between");
            }
        }
        return Optional.empty();
    }

    /**
     * Until when the lease surely lived: TTL after the latest acknowledged grant or keep-alive was
     * sent, cut at the first revoke that may have run. {@link Long#MIN_VALUE} without a grant.
     */
    private static long liveUntil(List<LeaseOp> ops) {
        long alive = ops.stream()
                .filter(LeaseCheck::isRenewal)
                .mapToLong(op -> op.callTime() + TTL)
                .max()
                .orElse(Long.MIN_VALUE);
        long firstRevoke = ops.stream()
                .filter(op -> op.kind() == LeaseOp.Kind.REVOKE
                        && (op.outcome() == LeaseOp.Outcome.OK || op.outcome() == LeaseOp.Outcome.UNKNOWN))
                .mapToLong(LeaseOp::callTime)
                .min()
                .orElse(Long.MAX_VALUE);
        return Math.min(alive, firstRevoke);
    }

    private static boolean isRenewal(LeaseOp op) {
        return (op.kind() == LeaseOp.Kind.GRANT || op.kind() == LeaseOp.Kind.KEEPALIVE)
                && op.outcome() == LeaseOp.Outcome.OK;
    }

    private static LeaseOp first(List<LeaseOp> ops, LeaseOp.Kind kind) {
        return ops.stream()
                .filter(op -> op.kind() == kind && op.client() != Op.FINAL_READER)
                .findFirst()
                .orElse(null);
    }
}
