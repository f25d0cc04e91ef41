package dev.aspen.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class MonotonicClockTest {
    @Test
    void readsSystemNanoTimeAndNeverGoesBack() {
        long before = System.nanoTime() / 1_000_000;
        long previous = MonotonicClock.INSTANCE.millis();
        for (int i = 0; i < 100_000; i++) {
            long now = MonotonicClock.INSTANCE.millis();
            assertThat(now).isGreaterThanOrEqualTo(previous);
            previous = now;
        }
        long after = System.nanoTime() / 1_000_000;
        assertThat(previous).isBetween(before, after);
        assertThat(MonotonicClock.INSTANCE.instant().toEpochMilli()).isGreaterThanOrEqualTo(previous);
        assertThat(MonotonicClock.INSTANCE.withZone(ZoneId.of("Europe/Paris"))).isSameAs(MonotonicClock.INSTANCE);
    }
}
