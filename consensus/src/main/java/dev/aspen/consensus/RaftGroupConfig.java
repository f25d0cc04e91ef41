package dev.aspen.consensus;

import java.time.Duration;

/**
 * Timing and limits of a Raft group member. Immutable; build with {@link #builder()}, which
 * validates every field and names the bad one. The defaults are safe for a LAN or WAN cluster.
 */
public final class RaftGroupConfig {
    /** Default leader heartbeat period: 1 s. */
    public static final Duration DEFAULT_LEADER_HEARTBEAT_PERIOD = Duration.ofSeconds(1);
    /** Default leader heartbeat timeout: 2 s (1 s / 1 s is unstable: leaders flap). */
    public static final Duration DEFAULT_LEADER_HEARTBEAT_TIMEOUT = Duration.ofSeconds(2);
    /** Default base election timeout (MicroRaft adds up to 100 ms of random jitter). */
    public static final Duration DEFAULT_LEADER_ELECTION_TIMEOUT = Duration.ofMillis(1000);
    /** Default maximum entries per AppendEntries request. */
    public static final int DEFAULT_APPEND_ENTRIES_BATCH_SIZE = 512;
    /** Default number of applied entries between automatic snapshots. */
    public static final int DEFAULT_COMMIT_COUNT_TO_TAKE_SNAPSHOT = 10_000;
    /** Default limit of appended but uncommitted entries on the leader. */
    public static final int DEFAULT_MAX_PENDING_LOG_ENTRIES = 5_000;
    /** Default maximum snapshot chunk size handed to the state machine. */
    public static final int DEFAULT_SNAPSHOT_CHUNK_BYTES = 256 * 1024;
    /** Default bound a stale read waits for the requested index. */
    public static final Duration DEFAULT_STALE_READ_WAIT = Duration.ofSeconds(1);
    /** Default limit of tasks (inbound messages, API calls) queued for the Raft thread. */
    public static final int DEFAULT_MAX_QUEUED_TASKS = 10_000;
    /** Default period of the report published to the report listener. */
    public static final Duration DEFAULT_REPORT_PERIOD = Duration.ofSeconds(10);

    /** Upper bound of {@code commitCountToTakeSnapshot} (MicroRaft sizes its log array by it). */
    public static final int MAX_COMMIT_COUNT_TO_TAKE_SNAPSHOT = 1_000_000;
    /** Upper bound of {@code maxPendingLogEntries}. */
    public static final int MAX_PENDING_LOG_ENTRIES_LIMIT = 1_000_000;
    /** Upper bound of {@code appendEntriesBatchSize}. */
    public static final int MAX_APPEND_ENTRIES_BATCH_SIZE = 100_000;
    /** Bounds of {@code snapshotChunkBytes}. */
    public static final int MIN_SNAPSHOT_CHUNK_BYTES = 1024;
    /** Upper bound of {@code snapshotChunkBytes}. */
    public static final int MAX_SNAPSHOT_CHUNK_BYTES = 16 * 1024 * 1024;

    private final Duration leaderHeartbeatPeriod;
    private final Duration leaderHeartbeatTimeout;
    private final Duration leaderElectionTimeout;
    private final int appendEntriesBatchSize;
    private final int commitCountToTakeSnapshot;
    private final int maxPendingLogEntries;
    private final int snapshotChunkBytes;
    private final Duration staleReadWait;
    private final int maxQueuedTasks;
    private final Duration reportPeriod;

    private RaftGroupConfig(Builder b) {
        leaderHeartbeatPeriod = b.leaderHeartbeatPeriod;
        leaderHeartbeatTimeout = b.leaderHeartbeatTimeout;
        leaderElectionTimeout = b.leaderElectionTimeout;
        appendEntriesBatchSize = b.appendEntriesBatchSize;
        commitCountToTakeSnapshot = b.commitCountToTakeSnapshot;
        maxPendingLogEntries = b.maxPendingLogEntries;
        snapshotChunkBytes = b.snapshotChunkBytes;
        staleReadWait = b.staleReadWait;
        maxQueuedTasks = b.maxQueuedTasks;
        reportPeriod = b.reportPeriod;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The configuration with every default. */
    public static RaftGroupConfig defaults() {
        return builder().build();
    }

    /** How often the leader sends heartbeats (whole seconds). */
    public Duration leaderHeartbeatPeriod() {
        return leaderHeartbeatPeriod;
    }

    /** How long followers wait without a heartbeat before electing (whole seconds, > period). */
    public Duration leaderHeartbeatTimeout() {
        return leaderHeartbeatTimeout;
    }

    /** Base timeout of an election round. */
    public Duration leaderElectionTimeout() {
        return leaderElectionTimeout;
    }

    /** Maximum entries per AppendEntries request. */
    public int appendEntriesBatchSize() {
        return appendEntriesBatchSize;
    }

    /** Applied entries between automatic snapshots. */
    public int commitCountToTakeSnapshot() {
        return commitCountToTakeSnapshot;
    }

    /** Limit of appended but uncommitted entries; beyond it replicate fails with unavailable. */
    public int maxPendingLogEntries() {
        return maxPendingLogEntries;
    }

    /** Maximum size of one snapshot chunk. */
    public int snapshotChunkBytes() {
        return snapshotChunkBytes;
    }

    /** How long a stale read waits for its minimum index before failing with lagging. */
    public Duration staleReadWait() {
        return staleReadWait;
    }

    /** Limit of queued tasks; beyond it inbound messages are dropped and calls fail unavailable. */
    public int maxQueuedTasks() {
        return maxQueuedTasks;
    }

    /** Period of the report published to the report listener (whole seconds). */
    public Duration reportPeriod() {
        return reportPeriod;
    }

    @Override
    public String toString() {
        return "RaftGroupConfig{heartbeatPeriod=" + leaderHeartbeatPeriod + ", heartbeatTimeout="
                + leaderHeartbeatTimeout + ", electionTimeout=" + leaderElectionTimeout + ", batch="
                + appendEntriesBatchSize + ", snapshotEvery=" + commitCountToTakeSnapshot + ", maxPending="
                + maxPendingLogEntries + ", chunkBytes=" + snapshotChunkBytes + ", staleReadWait=" + staleReadWait
                + ", maxQueuedTasks=" + maxQueuedTasks + ", reportPeriod=" + reportPeriod + '}';
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private Duration leaderHeartbeatPeriod = DEFAULT_LEADER_HEARTBEAT_PERIOD;
        private Duration leaderHeartbeatTimeout = DEFAULT_LEADER_HEARTBEAT_TIMEOUT;
        private Duration leaderElectionTimeout = DEFAULT_LEADER_ELECTION_TIMEOUT;
        private int appendEntriesBatchSize = DEFAULT_APPEND_ENTRIES_BATCH_SIZE;
        private int commitCountToTakeSnapshot = DEFAULT_COMMIT_COUNT_TO_TAKE_SNAPSHOT;
        private int maxPendingLogEntries = DEFAULT_MAX_PENDING_LOG_ENTRIES;
        private int snapshotChunkBytes = DEFAULT_SNAPSHOT_CHUNK_BYTES;
        private Duration staleReadWait = DEFAULT_STALE_READ_WAIT;
        private int maxQueuedTasks = DEFAULT_MAX_QUEUED_TASKS;
        private Duration reportPeriod = DEFAULT_REPORT_PERIOD;

        private Builder() {}

        /** Sets the heartbeat period: whole seconds, 1 s to 60 s. */
        public Builder leaderHeartbeatPeriod(Duration value) {
            leaderHeartbeatPeriod = value;
            return this;
        }

        /** Sets the heartbeat timeout: whole seconds, greater than the period, at most 600 s. */
        public Builder leaderHeartbeatTimeout(Duration value) {
            leaderHeartbeatTimeout = value;
            return this;
        }

        /** Sets the base election timeout: 50 ms to 60 s. */
        public Builder leaderElectionTimeout(Duration value) {
            leaderElectionTimeout = value;
            return this;
        }

        /** Sets the AppendEntries batch size: 1 to {@value #MAX_APPEND_ENTRIES_BATCH_SIZE}. */
        public Builder appendEntriesBatchSize(int value) {
            appendEntriesBatchSize = value;
            return this;
        }

        /** Sets the snapshot interval: 1 to {@value #MAX_COMMIT_COUNT_TO_TAKE_SNAPSHOT} entries. */
        public Builder commitCountToTakeSnapshot(int value) {
            commitCountToTakeSnapshot = value;
            return this;
        }

        /** Sets the pending entry limit: 1 to {@value #MAX_PENDING_LOG_ENTRIES_LIMIT}. */
        public Builder maxPendingLogEntries(int value) {
            maxPendingLogEntries = value;
            return this;
        }

        /** Sets the snapshot chunk size: 1 KiB to 16 MiB. */
        public Builder snapshotChunkBytes(int value) {
            snapshotChunkBytes = value;
            return this;
        }

        /** Sets the stale-read wait bound: 0 to 60 s. */
        public Builder staleReadWait(Duration value) {
            staleReadWait = value;
            return this;
        }

        /** Sets the queued task limit: 16 to 1,000,000. */
        public Builder maxQueuedTasks(int value) {
            maxQueuedTasks = value;
            return this;
        }

        /** Sets the report period: whole seconds, 1 s to 3600 s. */
        public Builder reportPeriod(Duration value) {
            reportPeriod = value;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the first invalid field
         */
        public RaftGroupConfig build() {
            wholeSeconds("leaderHeartbeatPeriod", leaderHeartbeatPeriod, 1, 60);
            wholeSeconds("leaderHeartbeatTimeout", leaderHeartbeatTimeout, 1, 600);
            if (leaderHeartbeatTimeout.compareTo(leaderHeartbeatPeriod) <= 0) {
                throw new IllegalArgumentException("leaderHeartbeatTimeout (" + leaderHeartbeatTimeout
                        + ") must be greater than leaderHeartbeatPeriod (" + leaderHeartbeatPeriod
                        + "); equal values make leaders flap");
            }
            range("leaderElectionTimeout", leaderElectionTimeout, Duration.ofMillis(50), Duration.ofSeconds(60));
            range("appendEntriesBatchSize", appendEntriesBatchSize, 1, MAX_APPEND_ENTRIES_BATCH_SIZE);
            range("commitCountToTakeSnapshot", commitCountToTakeSnapshot, 1, MAX_COMMIT_COUNT_TO_TAKE_SNAPSHOT);
            range("maxPendingLogEntries", maxPendingLogEntries, 1, MAX_PENDING_LOG_ENTRIES_LIMIT);
            range("snapshotChunkBytes", snapshotChunkBytes, MIN_SNAPSHOT_CHUNK_BYTES, MAX_SNAPSHOT_CHUNK_BYTES);
            range("staleReadWait", staleReadWait, Duration.ZERO, Duration.ofSeconds(60));
            range("maxQueuedTasks", maxQueuedTasks, 16, 1_000_000);
            wholeSeconds("reportPeriod", reportPeriod, 1, 3600);
            return new RaftGroupConfig(this);
        }

        private static void wholeSeconds(String field, Duration value, long min, long max) {
            range(field, value, Duration.ofSeconds(min), Duration.ofSeconds(max));
            if (value.toMillis() % 1000 != 0 || value.getNano() % 1_000_000 != 0) {
                throw new IllegalArgumentException(field + " must be whole seconds, got " + value);
            }
        }

        private static void range(String field, Duration value, Duration min, Duration max) {
            if (value == null) {
                throw new IllegalArgumentException(field + " must be set");
            }
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(
                        field + " must be between " + min + " and " + max + ", got " + value);
            }
        }

        private static void range(String field, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(
                        field + " must be between " + min + " and " + max + ", got " + value);
            }
        }
    }
}
