package dev.aspen.kv;

/** One operation of a transaction branch, also the request shape of the single-key calls. */
public sealed interface TxnOp permits TxnOp.Put, TxnOp.Get, TxnOp.Delete, TxnOp.Scan {
    /**
     * Sets {@code key} to {@code value}.
     *
     * @param lease the lease to attach (0: none; a put without a lease detaches the key)
     * @param prevKv whether the response carries the previous key/value
     */
    record Put(byte[] key, byte[] value, long lease, boolean prevKv) implements TxnOp {}

    /** Reads one key. */
    record Get(byte[] key) implements TxnOp {}

    /** Deletes every key in {@code range}; {@code prevKv}: return the deleted key/values. */
    record Delete(KeyRange range, boolean prevKv) implements TxnOp {}

    /**
     * Reads keys in {@code range} in unsigned key order.
     *
     * @param limit at most this many keys (0: {@link KvLimits#MAX_SCAN_LIMIT})
     * @param keysOnly return keys and metadata without values
     */
    record Scan(KeyRange range, int limit, boolean keysOnly) implements TxnOp {}
}
