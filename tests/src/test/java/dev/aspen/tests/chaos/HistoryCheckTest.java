package dev.aspen.tests.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.tests.chaos.Op.Kind;
import dev.aspen.tests.chaos.Op.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryCheckTest {
    private static final long UNKNOWN = Long.MAX_VALUE;

    private static Op put(int client, String value, long call, long ret) {
        return new Op(client, Kind.PUT, "k", value, null, ret == UNKNOWN ? Outcome.UNKNOWN : Outcome.OK, call, ret);
    }

    private static Op read(Kind kind, String value, long call, long ret) {
        return new Op(2, kind, "k", value, null, Outcome.OK, call, ret);
    }

    private static Op finalRead(String value, long call) {
        return new Op(Op.FINAL_READER, Kind.READ_LINEARIZABLE, "k", value, null, Outcome.OK, call, call + 1);
    }

    @Test
    void cleanHistoryPassesEveryCheck() {
        var verdict = HistoryCheck.check(List.of(
                put(1, "a", 0, 10),
                read(Kind.READ_LINEARIZABLE, "a", 11, 12),
                read(Kind.READ_LEASE, "a", 13, 14),
                read(Kind.READ_STALE, null, 15, 16),
                new Op(1, Kind.CAS, "k", "b", "a", Outcome.OK, 20, 30),
                new Op(1, Kind.CAS, "k", "c", "a", Outcome.MISMATCH, 31, 32),
                finalRead("b", 40)));
        assertThat(verdict.anomalies()).isZero();
        assertThat(verdict.lease()).isEmpty();
        assertThat(verdict.inconclusive()).isEmpty();
    }

    @Test
    void finalValueOlderThanTheLastAcknowledgedWriteIsALostWrite() {
        var verdict = HistoryCheck.check(List.of(put(1, "a", 0, 10), put(1, "b", 20, 30), finalRead("a", 40)));
        assertThat(verdict.lost())
                .singleElement()
                .asString()
                .contains("final read -> a")
                .contains("put(b)");
    }

    @Test
    void unknownWritesMayOrMayNotSurvive() {
        assertThat(HistoryCheck.check(List.of(put(1, "a", 0, 10), put(1, "b", 20, UNKNOWN), finalRead("a", 40)))
                        .anomalies())
                .isZero();
        assertThat(HistoryCheck.check(List.of(put(1, "b", 20, UNKNOWN), finalRead(null, 40)))
                        .anomalies())
                .isZero();
    }

    @Test
    void writesThatNeverRanAreIgnored() {
        var neverRan = new Op(1, Kind.PUT, "k", "x", null, Outcome.FAILED, 0, 5);
        assertThat(HistoryCheck.check(List.of(neverRan, finalRead(null, 10))).anomalies())
                .isZero();
        assertThat(HistoryCheck.check(List.of(neverRan, finalRead("x", 10))).linearizable())
                .hasSize(1);
    }

    @Test
    void staleReadsMayLagButNeverInventValues() {
        var lagging = HistoryCheck.check(List.of(
                put(1, "a", 0, 10), put(1, "b", 20, 30), read(Kind.READ_STALE, "a", 40, 41), finalRead("b", 50)));
        assertThat(lagging.anomalies()).isZero();
        var future =
                HistoryCheck.check(List.of(read(Kind.READ_STALE, "a", 0, 5), put(1, "a", 10, 20), finalRead("a", 50)));
        assertThat(future.stale()).singleElement().asString().contains("no put or cas had sent");
    }

    @Test
    void staleLeaseReadIsReportedApartFromTheLinearizableHistory() {
        var verdict = HistoryCheck.check(List.of(
                put(1, "a", 0, 10), put(1, "b", 20, 30), read(Kind.READ_LEASE, "a", 40, 41), finalRead("b", 50)));
        assertThat(verdict.anomalies()).isZero();
        assertThat(verdict.lease()).singleElement().asString().contains("client 2 read -> a");
    }
}
