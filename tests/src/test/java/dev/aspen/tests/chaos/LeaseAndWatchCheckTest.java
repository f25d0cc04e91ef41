package dev.aspen.tests.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.kv.WatchEvent;
import dev.aspen.tests.chaos.LeaseOp.Kind;
import dev.aspen.tests.chaos.LeaseOp.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeaseAndWatchCheckTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    private static final long UNKNOWN = Long.MAX_VALUE;

    private static LeaseOp step(Kind kind, Outcome outcome, long call, long ret) {
        return new LeaseOp(1, "lease1-0", 7, kind, outcome, kind == Kind.PUT ? "v-lease1-0" : null, call, ret);
    }

    private static LeaseOp read(String value, long call, long ret) {
        return new LeaseOp(1, "lease1-0", 7, Kind.READ, Outcome.OK, value, call, ret);
    }

    private static List<LeaseOp> granted(LeaseOp... rest) {
        var ops = new ArrayList<>(List.of(step(Kind.GRANT, Outcome.OK, 0, 10), step(Kind.PUT, Outcome.OK, 20, 30)));
        ops.addAll(List.of(rest));
        return ops;
    }

    @Test
    void keptRevokedAndExpiredLeasesPass() {
        var kept = granted(
                read("v-lease1-0", 40, 50),
                step(Kind.KEEPALIVE, Outcome.OK, S, S + 10),
                read("v-lease1-0", 2 * S, 2 * S + 10),
                step(Kind.REVOKE, Outcome.OK, 3 * S, 3 * S + 10),
                read(null, 3 * S + 20, 3 * S + 30));
        assertThat(LeaseCheck.check(kept, List.of())).isEmpty();
        var expired = granted(read("v-lease1-0", 40, 50), read(null, 3 * S, 3 * S + 10));
        assertThat(LeaseCheck.check(expired, List.of())).isEmpty();
    }

    @Test
    void keyMissingWhileItsLeaseWasKeptAliveIsAnAnomaly() {
        var ops = granted(step(Kind.KEEPALIVE, Outcome.OK, S, S + 10), read(null, 2 * S, 2 * S + 10));
        assertThat(LeaseCheck.check(ops, List.of())).singleElement().asString().contains("missed the key");
    }

    @Test
    void keepAliveAnsweredLeaseNotFoundBeforeTheTtlIsAnEarlyExpiry() {
        var ops = granted(step(Kind.KEEPALIVE, Outcome.GONE, S, S + 10));
        assertThat(LeaseCheck.check(ops, List.of())).singleElement().asString().contains("lease_not_found");
    }

    @Test
    void keyReadableAfterAnAcknowledgedRevokeIsAnAnomaly() {
        var ops = granted(step(Kind.REVOKE, Outcome.OK, 40, 50), read("v-lease1-0", 60, 70));
        assertThat(LeaseCheck.check(ops, List.of())).singleElement().asString().contains("after the revoke");
    }

    @Test
    void expiryIsHeldToItsBoundOnlyWithoutFaultsOrUnknownRenewals() {
        long late = 2 * S + LeaseCheck.EXPIRY_SLACK.toNanos() + S;
        var ops = granted(read("v-lease1-0", late, late + 10));
        assertThat(LeaseCheck.check(ops, List.of())).singleElement().asString().contains("no fault in between");
        assertThat(LeaseCheck.check(ops, List.of(new Nemesis.Window(S, 2 * S)))).isEmpty();
        var unknown = granted(step(Kind.KEEPALIVE, Outcome.UNKNOWN, 40, UNKNOWN), read("v-lease1-0", late, late + 10));
        assertThat(LeaseCheck.check(unknown, List.of())).isEmpty();
    }

    private static Op put(String key, String value, long call, long ret, long revision) {
        return new Op(1, Op.Kind.PUT, key, value, null, Op.Outcome.OK, call, ret, revision);
    }

    private static Watcher.Event event(long revision, String key, String value) {
        return new Watcher.Event(revision, key, WatchEvent.Type.PUT, value);
    }

    private static Watcher.Record watcher(int id, long from, Watcher.Event... events) {
        long next = events.length == 0 ? from : events[events.length - 1].revision() + 1;
        return new Watcher.Record(id, from, next, List.of(events), List.of(), List.of());
    }

    @Test
    void watchersThatSawEveryWriteInOrderPass() {
        var history = List.of(put("k0-1", "a", 0, 10, 5), put("k0-2", "b", 20, 30, 6));
        var w = watcher(0, 1, event(5, "k0-1", "a"), event(6, "k0-2", "b"));
        assertThat(WatchCheck.check(history, "k", List.of(w, watcher(1, 6, event(6, "k0-2", "b")))))
                .isEmpty();
    }

    @Test
    void missingOutOfOrderAndPhantomEventsAreAnomalies() {
        var history = List.of(
                put("k0-1", "a", 0, 10, 5),
                put("k0-2", "b", 20, 30, 6),
                new Op(1, Op.Kind.PUT, "k0-1", "x", null, Op.Outcome.FAILED, 40, 50));
        assertThat(WatchCheck.check(history, "k", List.of(watcher(0, 1, event(6, "k0-2", "b")))))
                .singleElement()
                .asString()
                .contains("was not delivered");
        assertThat(WatchCheck.check(history, "k", List.of(watcher(0, 1, event(6, "k0-2", "b"), event(5, "k0-1", "a")))))
                .anyMatch(why -> why.contains("after revision 6"));
        assertThat(WatchCheck.check(
                        history,
                        "k",
                        List.of(watcher(0, 1, event(5, "k0-1", "a"), event(6, "k0-2", "b"), event(7, "k0-1", "x")))))
                .singleElement()
                .asString()
                .contains("failed definitively");
    }

    @Test
    void aRevisionLowerThanOneAcknowledgedEarlierIsAnAnomaly() {
        var history = List.of(put("k0-1", "a", 0, 10, 6), put("k0-2", "b", 20, 30, 5));
        assertThat(WatchCheck.check(history, "k", List.of()))
                .singleElement()
                .asString()
                .contains("revision went back");
    }
}
