package dev.aspen.consensus;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A {@link Clock} that reads {@link System#nanoTime()}: it never jumps when the wall clock is set,
 * stepped by NTP or moved by an operator. Raft's heartbeat and lease bookkeeping only subtract
 * its readings; with the wall clock, a leader whose clock stepped back would count old follower
 * acknowledgements as fresh and serve lease reads it no longer holds the lease for, and a
 * follower whose clock stepped forward would start a needless election.
 *
 * <p>Its instants are not dates: they count from an arbitrary origin. Thread-safe, stateless.
 */
public final class MonotonicClock extends Clock {
    /** The one instance. */
    public static final MonotonicClock INSTANCE = new MonotonicClock();

    private MonotonicClock() {}

    @Override
    public long millis() {
        return System.nanoTime() / 1_000_000;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** This clock: a zone changes nothing about a monotonic reading. */
    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
