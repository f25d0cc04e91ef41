package dev.aspen.consensus.store;

/**
 * Immutable settings of a {@link DurableRaftStore}. Build with {@link #builder()}; {@link
 * Builder#build()} validates and names the bad field.
 *
 * @param segmentBytes size at which the log rolls over to a new segment file
 * @param maxRecordBytes largest encoded log entry or snapshot chunk the store accepts
 */
public record StoreOptions(long segmentBytes, int maxRecordBytes) {
    /** Default segment size: 64 MiB. */
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    /** Default record limit: 32 MiB. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 32 << 20;
    /** Smallest allowed segment size (useful in tests). */
    public static final long MIN_SEGMENT_BYTES = 4096;
    /** Largest allowed segment size. */
    public static final long MAX_SEGMENT_BYTES = 1L << 30;
    /** Smallest allowed record limit. */
    public static final int MIN_RECORD_BYTES = 256;

    /**
     * @throws IllegalArgumentException naming the field: segmentBytes outside [{@value
     *     #MIN_SEGMENT_BYTES}, {@value #MAX_SEGMENT_BYTES}], or maxRecordBytes below {@value
     *     #MIN_RECORD_BYTES} or too large for one record to fit a segment
     */
    public StoreOptions {
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be in [" + MIN_SEGMENT_BYTES + ", "
                    + MAX_SEGMENT_BYTES + "], got " + segmentBytes);
        }
        long fit = segmentBytes - FileFormat.HEADER_BYTES - FileFormat.RECORD_HEADER_BYTES;
        if (maxRecordBytes < MIN_RECORD_BYTES || maxRecordBytes > fit) {
            throw new IllegalArgumentException("maxRecordBytes must be in [" + MIN_RECORD_BYTES + ", " + fit
                    + "] (a record must fit a segment of " + segmentBytes + " bytes), got " + maxRecordBytes);
        }
    }

    /** The defaults: 64 MiB segments, 32 MiB records. */
    public static StoreOptions defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link StoreOptions}. */
    public static final class Builder {
        private long segmentBytes = DEFAULT_SEGMENT_BYTES;
        private int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;

        private Builder() {}

        /** Size at which the log rolls to a new segment file (default 64 MiB). */
        public Builder segmentBytes(long segmentBytes) {
            this.segmentBytes = segmentBytes;
            return this;
        }

        /** Largest encoded log entry or snapshot chunk accepted (default 32 MiB). */
        public Builder maxRecordBytes(int maxRecordBytes) {
            this.maxRecordBytes = maxRecordBytes;
            return this;
        }

        /** Validates and builds; see {@link StoreOptions#StoreOptions(long, int)}. */
        public StoreOptions build() {
            return new StoreOptions(segmentBytes, maxRecordBytes);
        }
    }
}
