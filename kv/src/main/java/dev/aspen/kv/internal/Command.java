package dev.aspen.kv.internal;

import dev.aspen.kv.Compare;
import dev.aspen.kv.TxnOp;
import java.util.List;

/** The replicated commands: everything that changes state goes through the log as one of these. */
public sealed interface Command {
    /** A single put. */
    record Put(TxnOp.Put op) implements Command {}

    /** A delete of a key, prefix or range. */
    record Delete(TxnOp.Delete op) implements Command {}

    /** An atomic multi-put at one revision. */
    record PutAll(List<TxnOp.Put> puts) implements Command {}

    /** A transaction. */
    record Txn(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) implements Command {}

    /** Grants a lease; the id is assigned by the state machine. */
    record LeaseGrant(long ttlSeconds) implements Command {}

    /** Renews a lease. */
    record LeaseKeepAlive(long id) implements Command {}

    /** Revokes a lease and deletes its keys. */
    record LeaseRevoke(long id) implements Command {}

    /** Expires leases (proposed by the leader's expiry logic); ids already gone are skipped. */
    record LeaseExpire(List<Long> ids) implements Command {}
}
