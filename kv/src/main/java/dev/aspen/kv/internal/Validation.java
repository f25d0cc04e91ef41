package dev.aspen.kv.internal;

import dev.aspen.kv.Compare;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvLimits;
import dev.aspen.kv.TxnOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Static checks of commands and queries against {@link KvLimits}: sizes fail with {@code too_large},
 * everything else with {@code invalid_argument}. Depends on nothing but the request itself, so the
 * proposer and every applying node reach the same verdict.
 */
public final class Validation {
    private Validation() {}

    static void check(Command command) {
        if (command instanceof Command.Put p) {
            checkPut(p.op());
        } else if (command instanceof Command.Delete d) {
            checkDelete(d.op());
        } else if (command instanceof Command.PutAll pa) {
            checkPutAll(pa.puts());
        } else if (command instanceof Command.Txn t) {
            checkTxn(t);
        } else if (command instanceof Command.LeaseGrant g) {
            if (g.ttlSeconds() < KvLimits.MIN_LEASE_TTL_SECONDS || g.ttlSeconds() > KvLimits.MAX_LEASE_TTL_SECONDS) {
                throw invalid("lease ttl must be in [" + KvLimits.MIN_LEASE_TTL_SECONDS + ", "
                        + KvLimits.MAX_LEASE_TTL_SECONDS + "] seconds, was " + g.ttlSeconds());
            }
        } else if (command instanceof Command.LeaseKeepAlive k) {
            checkLeaseId(k.id());
        } else if (command instanceof Command.LeaseRevoke r) {
            checkLeaseId(r.id());
        } else if (command instanceof Command.LeaseExpire e) {
            checkCount("expire batch", e.ids().size(), 1, KvLimits.MAX_EXPIRE_BATCH);
            e.ids().forEach(Validation::checkLeaseId);
        } else {
            throw invalid("null command");
        }
    }

    static void check(Query query) {
        if (query == null || query.minRevision() < 0) {
            throw invalid("query and its min revision must be set and >= 0");
        }
        if (query instanceof Query.Get g) {
            checkKey(g.key(), "key");
        } else if (query instanceof Query.Scan s) {
            checkScan(s.scan());
        } else if (query instanceof Query.LeaseTimeToLive l) {
            checkLeaseId(l.id());
        }
    }

    static void checkKey(byte[] key, String field) {
        if (key == null || key.length == 0) {
            throw invalid(field + " must not be empty");
        }
        if (key.length > KvLimits.MAX_KEY_BYTES) {
            throw tooLarge(field + " of " + key.length + " bytes, limit " + KvLimits.MAX_KEY_BYTES);
        }
    }

    static void checkPut(TxnOp.Put p) {
        if (p == null) {
            throw invalid("put must not be null");
        }
        checkKey(p.key(), "key");
        if (p.value() == null) {
            throw invalid("value must not be null");
        }
        if (p.value().length > KvLimits.MAX_VALUE_BYTES) {
            throw tooLarge("value of " + p.value().length + " bytes, limit " + KvLimits.MAX_VALUE_BYTES);
        }
        if (p.lease() < 0) {
            throw invalid("lease id must be >= 0, was " + p.lease());
        }
    }

    /** Checks a key range: non-empty key for KEY, bounds within limits, start below end. */
    public static void checkRange(KeyRange range) {
        if (range == null) {
            throw invalid("range must not be null");
        }
        if (range.kind() == KeyRange.Kind.KEY) {
            checkKey(range.start(), "key");
            return;
        }
        if (range.start().length > KvLimits.MAX_KEY_BYTES || range.end().length > KvLimits.MAX_KEY_BYTES) {
            throw tooLarge("range bound longer than " + KvLimits.MAX_KEY_BYTES + " bytes");
        }
        if (range.kind() == KeyRange.Kind.RANGE
                && range.end().length > 0
                && Arrays.compareUnsigned(range.start(), range.end()) >= 0) {
            throw invalid("range start must be below its end");
        }
    }

    private static void checkDelete(TxnOp.Delete d) {
        if (d == null) {
            throw invalid("delete must not be null");
        }
        checkRange(d.range());
    }

    private static void checkScan(TxnOp.Scan s) {
        if (s == null) {
            throw invalid("scan must not be null");
        }
        checkRange(s.range());
        if (s.limit() < 0) {
            throw invalid("scan limit must be >= 0, was " + s.limit());
        }
        if (s.limit() > KvLimits.MAX_SCAN_LIMIT) {
            throw tooLarge("scan limit " + s.limit() + ", limit " + KvLimits.MAX_SCAN_LIMIT);
        }
    }

    private static void checkPutAll(List<TxnOp.Put> puts) {
        checkCount("putAll", puts == null ? 0 : puts.size(), 1, KvLimits.MAX_TXN_OPS);
        TreeSet<byte[]> keys = new TreeSet<>(Arrays::compareUnsigned);
        for (TxnOp.Put p : puts) {
            checkPut(p);
            if (!keys.add(p.key())) {
                throw invalid("duplicate key in putAll");
            }
        }
    }

    private static void checkTxn(Command.Txn t) {
        if (t.compares() == null || t.success() == null || t.failure() == null) {
            throw invalid("txn lists must not be null");
        }
        checkCount("txn compares", t.compares().size(), 0, KvLimits.MAX_TXN_OPS);
        for (Compare c : t.compares()) {
            if (c == null) {
                throw invalid("compare must not be null");
            }
            checkKey(c.key(), "compare key");
            if (c.value().length > KvLimits.MAX_VALUE_BYTES) {
                throw tooLarge("compare value longer than " + KvLimits.MAX_VALUE_BYTES + " bytes");
            }
            if (c.number() < 0) {
                throw invalid("compare operand must be >= 0, was " + c.number());
            }
        }
        checkBranch("txn success ops", t.success());
        checkBranch("txn failure ops", t.failure());
    }

    private static void checkBranch(String what, List<TxnOp> ops) {
        checkCount(what, ops.size(), 0, KvLimits.MAX_TXN_OPS);
        TreeSet<byte[]> putKeys = new TreeSet<>(Arrays::compareUnsigned);
        List<KeyRange> deletes = new ArrayList<>();
        for (TxnOp op : ops) {
            if (op instanceof TxnOp.Put p) {
                checkPut(p);
                if (!putKeys.add(p.key())) {
                    throw invalid("duplicate put key in " + what);
                }
            } else if (op instanceof TxnOp.Delete d) {
                checkDelete(d);
                deletes.add(d.range());
            } else if (op instanceof TxnOp.Get g) {
                checkKey(g.key(), "key");
            } else if (op instanceof TxnOp.Scan s) {
                checkScan(s);
            } else {
                throw invalid("null op in " + what);
            }
        }
        for (KeyRange range : deletes) {
            for (byte[] key : putKeys) {
                if (range.contains(key)) {
                    throw invalid("a put key is also deleted in " + what);
                }
            }
        }
    }

    private static void checkCount(String what, int count, int min, int max) {
        if (count > max) {
            throw tooLarge(what + ": " + count + ", limit " + max);
        }
        if (count < min) {
            throw invalid(what + ": " + count + ", at least " + min + " required");
        }
    }

    private static void checkLeaseId(Long id) {
        if (id == null || id <= 0) {
            throw invalid("lease id must be > 0, was " + id);
        }
    }

    private static KvException invalid(String message) {
        return KvException.of(ErrorCode.INVALID_ARGUMENT, message);
    }

    private static KvException tooLarge(String message) {
        return KvException.of(ErrorCode.TOO_LARGE, message);
    }
}
