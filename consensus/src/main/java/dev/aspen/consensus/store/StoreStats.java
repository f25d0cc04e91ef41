package dev.aspen.consensus.store;

/**
 * Counters since the store was opened.
 *
 * @param entriesAppended log entries passed to {@code persistLogEntries}
 * @param bytesAppended bytes of log records written (headers included)
 * @param fsyncs every fsync/fdatasync the store issued, of files and of the directory
 * @param flushes {@code flush()} calls
 * @param syncingFlushes {@code flush()} calls that had something to make durable
 */
public record StoreStats(long entriesAppended, long bytesAppended, long fsyncs, long flushes, long syncingFlushes) {
    /** Log entries per fsync: the group-commit factor (0 before the first fsync). */
    public double entriesPerFsync() {
        return fsyncs == 0 ? 0 : (double) entriesAppended / fsyncs;
    }
}
