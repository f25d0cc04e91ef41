package dev.aspen.kv;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Settings of a {@link KvStateMachine}. The capacity settings ({@code maxKeys}, average sizes,
 * {@code largeValueBytes}, {@code maxLeases}) decide which writes are refused as {@code too_large},
 * so every node of a group must use the same values. Build with {@link #builder(Path)}.
 */
public record KvConfig(
        Path dataDir,
        long maxKeys,
        int averageKeyBytes,
        int averageValueBytes,
        long largeValueBytes,
        int maxLeases,
        int maxWatchers,
        int watchQueueCapacity,
        int historyRevisions,
        long historyBytes,
        Executor watchExecutor,
        LeaseListener leaseListener) {

    /**
     * Validates every field (also when constructed directly); a null lease listener becomes a no-op.
     *
     * @throws IllegalArgumentException naming the first bad field
     */
    public KvConfig {
        require(dataDir != null, "dataDir must be set");
        require(maxKeys >= 1 && maxKeys <= 1L << 31, "maxKeys must be in [1, 2^31], was " + maxKeys);
        require(
                averageKeyBytes >= 1 && averageKeyBytes <= KvLimits.MAX_KEY_BYTES,
                "averageKeyBytes must be in [1, 4096], was " + averageKeyBytes);
        require(
                averageValueBytes >= 1 && averageValueBytes <= 1024,
                "averageValueBytes must be in [1, 1024], was " + averageValueBytes);
        require(
                largeValueBytes >= KvLimits.MAX_VALUE_BYTES,
                "largeValueBytes must be >= " + KvLimits.MAX_VALUE_BYTES + ", was " + largeValueBytes);
        require(maxLeases >= 1, "maxLeases must be >= 1, was " + maxLeases);
        require(maxWatchers >= 1, "maxWatchers must be >= 1, was " + maxWatchers);
        require(watchQueueCapacity >= 1, "watchQueueCapacity must be >= 1, was " + watchQueueCapacity);
        require(historyRevisions >= 0, "historyRevisions must be >= 0, was " + historyRevisions);
        require(historyBytes >= 0, "historyBytes must be >= 0, was " + historyBytes);
        leaseListener = leaseListener != null ? leaseListener : NO_LEASE_LISTENER;
    }

    /** A builder with defaults for everything but the data directory. */
    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** Builder; {@link #build()} validates and names the bad field. */
    public static final class Builder {
        private final Path dataDir;
        private long maxKeys = 1_000_000;
        private int averageKeyBytes = 32;
        private int averageValueBytes = 128;
        private long largeValueBytes = 64L * 1024 * 1024;
        private int maxLeases = 100_000;
        private int maxWatchers = 1_000;
        private int watchQueueCapacity = 1_000;
        private int historyRevisions = 10_000;
        private long historyBytes = 64L * 1024 * 1024;
        private Executor watchExecutor;
        private LeaseListener leaseListener;

        private Builder(Path dataDir) {
            this.dataDir = dataDir;
        }

        /** Most keys the store holds (sizes the entries map file up front); default 1,000,000. */
        public Builder maxKeys(long v) {
            maxKeys = v;
            return this;
        }

        /** Expected average key size for map sizing; default 32. */
        public Builder averageKeyBytes(int v) {
            averageKeyBytes = v;
            return this;
        }

        /** Expected average inline value size for map sizing; default 128. */
        public Builder averageValueBytes(int v) {
            averageValueBytes = v;
            return this;
        }

        /** Total bytes of values above 1 KiB (stored in chunks; the blob map file is sized for it up front); default 64 MiB. */
        public Builder largeValueBytes(long v) {
            largeValueBytes = v;
            return this;
        }

        /** Most live leases; default 100,000. */
        public Builder maxLeases(int v) {
            maxLeases = v;
            return this;
        }

        /** Most watchers on this node; default 1,000. */
        public Builder maxWatchers(int v) {
            maxWatchers = v;
            return this;
        }

        /** Most undelivered events per watcher before it is cancelled; default 1,000. */
        public Builder watchQueueCapacity(int v) {
            watchQueueCapacity = v;
            return this;
        }

        /** Revisions of events kept for watches that start in the past; default 10,000. */
        public Builder historyRevisions(int v) {
            historyRevisions = v;
            return this;
        }

        /** Bytes of events kept for watches that start in the past; default 64 MiB. */
        public Builder historyBytes(long v) {
            historyBytes = v;
            return this;
        }

        /** Where watch listeners run; default two daemon threads owned by the state machine. */
        public Builder watchExecutor(Executor v) {
            watchExecutor = v;
            return this;
        }

        /** Told of lease changes on the apply thread (for {@link LeaseExpiry}); default none. */
        public Builder leaseListener(LeaseListener v) {
            leaseListener = v;
            return this;
        }

        /**
         * The validated config.
         *
         * @throws IllegalArgumentException naming the first bad field
         */
        public KvConfig build() {
            return new KvConfig(
                    dataDir,
                    maxKeys,
                    averageKeyBytes,
                    averageValueBytes,
                    largeValueBytes,
                    maxLeases,
                    maxWatchers,
                    watchQueueCapacity,
                    historyRevisions,
                    historyBytes,
                    watchExecutor,
                    leaseListener);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static final LeaseListener NO_LEASE_LISTENER = new LeaseListener() {
        @Override
        public void onGranted(long leaseId, long ttlSeconds) {}

        @Override
        public void onRenewed(long leaseId, long ttlSeconds) {}

        @Override
        public void onRemoved(long leaseId) {}

        @Override
        public void onReset(Map<Long, Long> leaseTtls) {}
    };
}
