package dev.aspen.kv;

import static dev.aspen.kv.Fixtures.b;
import static dev.aspen.kv.Fixtures.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseExpiryTest {
    final AtomicLong now = new AtomicLong(1_000);
    final LeaseExpiry expiry = new LeaseExpiry(now::get, 500, 2);

    @TempDir
    Path dir;

    @Test
    void followerNeverProposesAndLeaderProposesAfterTtl() {
        expiry.onGranted(1, 10);
        now.addAndGet(20_000);
        assertThat(expiry.dueForExpiry()).isEmpty();
        assertThat(expiry.remainingMillis(1)).isEqualTo(-1);

        expiry.becomeLeader();
        assertThat(expiry.remainingMillis(1)).isEqualTo(10_000);
        now.addAndGet(9_999);
        assertThat(expiry.dueForExpiry()).isEmpty();
        now.addAndGet(1);
        assertThat(expiry.dueForExpiry()).containsExactly(1L);
    }

    @Test
    void keepAliveMovesTheDeadline() {
        expiry.becomeLeader();
        expiry.onGranted(1, 5);
        now.addAndGet(4_000);
        expiry.onRenewed(1, 5);
        now.addAndGet(4_000);
        assertThat(expiry.dueForExpiry()).isEmpty();
        now.addAndGet(1_000);
        assertThat(expiry.dueForExpiry()).containsExactly(1L);
    }

    @Test
    void proposedLeaseIsRetriedOnlyAfterRetryDelayAndRemovedLeaseNever() {
        expiry.becomeLeader();
        expiry.onGranted(1, 1);
        expiry.onGranted(2, 1);
        now.addAndGet(1_000);
        assertThat(expiry.dueForExpiry()).containsExactly(1L, 2L);
        assertThat(expiry.dueForExpiry()).isEmpty();
        expiry.onRemoved(2);
        now.addAndGet(500);
        assertThat(expiry.dueForExpiry()).containsExactly(1L);
    }

    @Test
    void batchesEarliestDeadlineFirstUpToMaxBatch() {
        expiry.becomeLeader();
        expiry.onGranted(7, 3);
        expiry.onGranted(5, 2);
        expiry.onGranted(9, 1);
        now.addAndGet(3_000);
        assertThat(expiry.dueForExpiry()).containsExactly(9L, 5L);
        assertThat(expiry.dueForExpiry()).containsExactly(7L);
    }

    @Test
    void becomingLeaderRestartsEveryDeadlineAndSteppingDownStopsProposals() {
        expiry.onReset(Map.of(1L, 2L, 2L, 4L));
        now.addAndGet(10_000);
        expiry.becomeLeader();
        now.addAndGet(2_000);
        assertThat(expiry.dueForExpiry()).containsExactly(1L);
        expiry.stepDown();
        now.addAndGet(10_000);
        assertThat(expiry.dueForExpiry()).isEmpty();
    }

    @Test
    void rejectsBadSettings() {
        assertThatThrownBy(() -> new LeaseExpiry(now::get, 0, 1)).hasMessageContaining("retryMillis");
        assertThatThrownBy(() -> new LeaseExpiry(now::get, 1, KvLimits.MAX_EXPIRE_BATCH + 1))
                .hasMessageContaining("maxBatch");
    }

    @Test
    void expiryProposedThroughTheLogDeletesAttachedKeysAtOneRevision() {
        try (KvStateMachine machine = KvStateMachine.open(
                        Fixtures.small(dir).leaseListener(expiry).build());
                DirectCommandLog log = new DirectCommandLog(machine)) {
            KeyValueStore kv = KeyValueStore.over(log, machine, expiry);
            expiry.becomeLeader();
            long lease = join(kv.leaseGrant(2)).id();
            long other = join(kv.leaseGrant(60)).id();
            join(kv.put(b("a"), b("1"), lease, false));
            join(kv.put(b("b"), b("1"), lease, false));
            join(kv.put(b("c"), b("1"), other, false));
            assertThat(join(kv.leaseTimeToLive(lease, ReadConsistency.LINEARIZABLE))
                            .remainingMillis())
                    .isEqualTo(2_000);

            now.addAndGet(2_000);
            Object result = join(expiry.proposeDue(log));

            assertThat(result).isEqualTo(new LeaseRevokeResponse(4, 2));
            assertThat(join(kv.scan(KeyRange.prefix(new byte[0]), 0, true, ReadConsistency.LINEARIZABLE))
                            .kvs())
                    .extracting(Fixtures::keyText)
                    .containsExactly("c");
            assertThat(join(expiry.proposeDue(log))).isNull();
            assertThat(expiry.remainingMillis(lease)).isEqualTo(-1);
            assertThat(List.copyOf(join(log.submit(machine::leaseTtls)).keySet()))
                    .containsExactly(other);
        }
    }

    /** A log whose next proposals wait for {@link #gate} while {@link #holding}: an expiry decided but not yet applied. */
    private static final class HeldLog implements CommandLog {
        final CommandLog inner;
        final java.util.concurrent.CompletableFuture<Void> gate = new java.util.concurrent.CompletableFuture<>();
        volatile boolean holding;

        HeldLog(CommandLog inner) {
            this.inner = inner;
        }

        @Override
        public java.util.concurrent.CompletableFuture<Object> propose(byte[] command) {
            return holding ? gate.thenCompose(v -> inner.propose(command)) : inner.propose(command);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Object> read(byte[] query, ReadConsistency consistency) {
            return inner.read(query, consistency);
        }

        /** Lets {@code expiry} propose what is due, held at the gate: decided, not applied yet. */
        java.util.concurrent.CompletableFuture<Object> decideExpiry(LeaseExpiry expiry) {
            holding = true;
            try {
                return expiry.proposeDue(this);
            } finally {
                holding = false;
            }
        }
    }

    @Test
    void aKeepAliveAppliedWhileItsExpiryIsInFlightIsNotAcknowledged() {
        try (KvStateMachine machine = KvStateMachine.open(
                        Fixtures.small(dir).leaseListener(expiry).build());
                DirectCommandLog direct = new DirectCommandLog(machine)) {
            HeldLog log = new HeldLog(direct);
            KeyValueStore kv = KeyValueStore.over(log, machine, expiry);
            expiry.becomeLeader();
            long lease = join(kv.leaseGrant(2)).id();
            join(kv.put(b("lock"), b("me"), lease, false));
            now.addAndGet(2_000);
            var expire = log.decideExpiry(expiry);

            // Applied before the expiry: the state machine renews it, but the expiry still follows.
            assertThatThrownBy(() -> join(kv.leaseKeepAlive(lease)))
                    .isInstanceOfSatisfying(
                            KvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LEASE_NOT_FOUND));
            log.gate.complete(null);
            join(expire);
            assertThat(join(kv.get(b("lock"), ReadConsistency.LINEARIZABLE)).kv())
                    .isEmpty();
        }
    }

    @Test
    void aFailedExpiryProposalLetsRenewalsHoldAgain() {
        try (KvStateMachine machine = KvStateMachine.open(
                        Fixtures.small(dir).leaseListener(expiry).build());
                DirectCommandLog direct = new DirectCommandLog(machine)) {
            HeldLog log = new HeldLog(direct);
            KeyValueStore kv = KeyValueStore.over(log, machine, expiry);
            expiry.becomeLeader();
            long lease = join(kv.leaseGrant(2)).id();
            now.addAndGet(2_000);
            var expire = log.decideExpiry(expiry);
            assertThat(expiry.renewalHolds(lease)).isFalse();
            log.gate.completeExceptionally(KvException.of(ErrorCode.UNAVAILABLE, "leadership lost"));
            assertThat(expire).isCompletedExceptionally();

            assertThat(join(kv.leaseKeepAlive(lease)).id()).isEqualTo(lease);
            assertThat(expiry.renewalHolds(lease)).isTrue();
        }
    }
}
