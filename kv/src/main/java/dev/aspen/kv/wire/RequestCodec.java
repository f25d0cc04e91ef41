package dev.aspen.kv.wire;

import static dev.aspen.kv.wire.WireIo.readConsistency;
import static dev.aspen.kv.wire.WireIo.readCount;
import static dev.aspen.kv.wire.WireIo.readNumber;
import static dev.aspen.kv.wire.WireIo.readRange;
import static dev.aspen.kv.wire.WireIo.writeBoundedInt;
import static dev.aspen.kv.wire.WireIo.writeBytes;
import static dev.aspen.kv.wire.WireIo.writeConsistency;
import static dev.aspen.kv.wire.WireIo.writeNumber;
import static dev.aspen.kv.wire.WireIo.writeRange;

import dev.aspen.kv.Compare;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvLimits;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.internal.ByteReader;
import dev.aspen.kv.internal.ByteWriter;
import java.util.ArrayList;
import java.util.List;

/** Bodies of {@link KvRequest}s (after the version byte): a tag, then the arguments in order. */
final class RequestCodec {
    static final int PUT = 0x01;
    static final int GET = 0x02;
    static final int DELETE = 0x03;
    static final int PUT_ALL = 0x04;
    static final int SCAN = 0x05;
    static final int TXN = 0x06;
    static final int LEASE_GRANT = 0x07;
    static final int LEASE_KEEP_ALIVE = 0x08;
    static final int LEASE_REVOKE = 0x09;
    static final int LEASE_TIME_TO_LIVE = 0x0A;
    static final int WATCH = 0x0B;

    private static final int OP_PUT = 1;
    private static final int OP_GET = 2;
    private static final int OP_DELETE = 3;
    private static final int OP_SCAN = 4;

    private RequestCodec() {}

    static void write(ByteWriter w, KvRequest request) {
        if (request instanceof KvRequest.Put p) {
            writePut(w.writeByte(PUT), new TxnOp.Put(p.key(), p.value(), p.lease(), p.prevKv()));
        } else if (request instanceof KvRequest.Get g) {
            writeBytes(w.writeByte(GET), "key", g.key(), KvLimits.MAX_KEY_BYTES);
            writeConsistency(w, g.consistency());
        } else if (request instanceof KvRequest.Delete d) {
            writeDelete(w.writeByte(DELETE), new TxnOp.Delete(d.range(), d.prevKv()));
        } else if (request instanceof KvRequest.PutAll pa) {
            writePuts(w.writeByte(PUT_ALL), pa.puts());
        } else if (request instanceof KvRequest.Scan s) {
            writeScan(w.writeByte(SCAN), new TxnOp.Scan(s.range(), s.limit(), s.keysOnly()));
            writeConsistency(w, s.consistency());
        } else if (request instanceof KvRequest.Txn t) {
            writeTxn(w.writeByte(TXN), t);
        } else if (request instanceof KvRequest.LeaseGrant g) {
            writeNumber(w.writeByte(LEASE_GRANT), g.ttlSeconds());
        } else if (request instanceof KvRequest.LeaseKeepAlive k) {
            writeNumber(w.writeByte(LEASE_KEEP_ALIVE), k.leaseId());
        } else if (request instanceof KvRequest.LeaseRevoke rv) {
            writeNumber(w.writeByte(LEASE_REVOKE), rv.leaseId());
        } else if (request instanceof KvRequest.LeaseTimeToLive l) {
            writeNumber(w.writeByte(LEASE_TIME_TO_LIVE), l.leaseId());
            writeConsistency(w, l.consistency());
        } else if (request instanceof KvRequest.Watch wa) {
            writeRange(w.writeByte(WATCH), wa.range());
            writeNumber(w, wa.startRevision());
            w.writeBool(wa.prevKv());
        } else {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, "request must not be null");
        }
    }

    static KvRequest read(ByteReader r) {
        int tag = r.readByte("request tag");
        return switch (tag) {
            case PUT -> {
                TxnOp.Put p = readPut(r);
                yield new KvRequest.Put(p.key(), p.value(), p.lease(), p.prevKv());
            }
            case GET -> new KvRequest.Get(r.readBytes("key", KvLimits.MAX_KEY_BYTES), readConsistency(r));
            case DELETE -> {
                TxnOp.Delete d = readDelete(r);
                yield new KvRequest.Delete(d.range(), d.prevKv());
            }
            case PUT_ALL -> new KvRequest.PutAll(readPuts(r));
            case SCAN -> {
                TxnOp.Scan s = readScan(r);
                yield new KvRequest.Scan(s.range(), s.limit(), s.keysOnly(), readConsistency(r));
            }
            case TXN -> new KvRequest.Txn(readCompares(r), readOps(r, "txn success"), readOps(r, "txn failure"));
            case LEASE_GRANT -> new KvRequest.LeaseGrant(readNumber(r, "lease ttl"));
            case LEASE_KEEP_ALIVE -> new KvRequest.LeaseKeepAlive(readNumber(r, "lease id"));
            case LEASE_REVOKE -> new KvRequest.LeaseRevoke(readNumber(r, "lease id"));
            case LEASE_TIME_TO_LIVE -> new KvRequest.LeaseTimeToLive(readNumber(r, "lease id"), readConsistency(r));
            case WATCH ->
                new KvRequest.Watch(readRange(r), readNumber(r, "watch start revision"), r.readBool("prevKv"));
            default -> throw new WireFormatException("unknown request tag " + tag);
        };
    }

    private static void writePut(ByteWriter w, TxnOp.Put p) {
        if (p == null) {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, "put must not be null");
        }
        writeBytes(w, "key", p.key(), KvLimits.MAX_KEY_BYTES);
        writeBytes(w, "value", p.value(), KvLimits.MAX_VALUE_BYTES);
        writeNumber(w, p.lease());
        w.writeBool(p.prevKv());
    }

    private static TxnOp.Put readPut(ByteReader r) {
        return new TxnOp.Put(
                r.readBytes("key", KvLimits.MAX_KEY_BYTES),
                r.readBytes("value", KvLimits.MAX_VALUE_BYTES),
                readNumber(r, "lease"),
                r.readBool("prevKv"));
    }

    private static void writePuts(ByteWriter w, List<TxnOp.Put> puts) {
        if (puts == null) {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, "putAll puts must not be null");
        }
        writeBoundedInt(w, "putAll count", puts.size(), KvLimits.MAX_TXN_OPS);
        puts.forEach(p -> writePut(w, p));
    }

    private static List<TxnOp.Put> readPuts(ByteReader r) {
        int n = readCount(r, "putAll count", KvLimits.MAX_TXN_OPS);
        List<TxnOp.Put> puts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            puts.add(readPut(r));
        }
        return puts;
    }

    private static void writeDelete(ByteWriter w, TxnOp.Delete d) {
        writeRange(w, d.range());
        w.writeBool(d.prevKv());
    }

    private static TxnOp.Delete readDelete(ByteReader r) {
        return new TxnOp.Delete(readRange(r), r.readBool("prevKv"));
    }

    private static void writeScan(ByteWriter w, TxnOp.Scan s) {
        writeRange(w, s.range());
        writeBoundedInt(w, "scan limit", s.limit(), KvLimits.MAX_SCAN_LIMIT);
        w.writeBool(s.keysOnly());
    }

    private static TxnOp.Scan readScan(ByteReader r) {
        return new TxnOp.Scan(
                readRange(r), r.readVarInt("scan limit", KvLimits.MAX_SCAN_LIMIT), r.readBool("keysOnly"));
    }

    private static void writeTxn(ByteWriter w, KvRequest.Txn t) {
        if (t.compares() == null || t.success() == null || t.failure() == null) {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, "txn lists must not be null");
        }
        writeBoundedInt(w, "txn compare count", t.compares().size(), KvLimits.MAX_TXN_OPS);
        for (Compare c : t.compares()) {
            if (c == null) {
                throw KvException.of(ErrorCode.INVALID_ARGUMENT, "compare must not be null");
            }
            writeBytes(w, "compare key", c.key(), KvLimits.MAX_KEY_BYTES);
            w.writeByte(c.target().ordinal()).writeByte(c.op().ordinal());
            writeNumber(w, c.number());
            writeBytes(w, "compare value", c.value(), KvLimits.MAX_VALUE_BYTES);
        }
        writeOps(w, "txn success", t.success());
        writeOps(w, "txn failure", t.failure());
    }

    private static List<Compare> readCompares(ByteReader r) {
        int n = readCount(r, "txn compare count", KvLimits.MAX_TXN_OPS);
        List<Compare> compares = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] key = r.readBytes("compare key", KvLimits.MAX_KEY_BYTES);
            Compare.Target target = WireIo.readEnum(r, "compare target", Compare.Target.values());
            Compare.Op op = WireIo.readEnum(r, "compare op", Compare.Op.values());
            long number = readNumber(r, "compare number");
            byte[] value = r.readBytes("compare value", KvLimits.MAX_VALUE_BYTES);
            try {
                compares.add(new Compare(key, target, op, number, value));
            } catch (IllegalArgumentException e) {
                throw new WireFormatException("compare: " + e.getMessage());
            }
        }
        return compares;
    }

    private static void writeOps(ByteWriter w, String branch, List<TxnOp> ops) {
        writeBoundedInt(w, branch + " op count", ops.size(), KvLimits.MAX_TXN_OPS);
        for (TxnOp op : ops) {
            if (op instanceof TxnOp.Put p) {
                writePut(w.writeByte(OP_PUT), p);
            } else if (op instanceof TxnOp.Get g) {
                writeBytes(w.writeByte(OP_GET), "key", g.key(), KvLimits.MAX_KEY_BYTES);
            } else if (op instanceof TxnOp.Delete d) {
                writeDelete(w.writeByte(OP_DELETE), d);
            } else if (op instanceof TxnOp.Scan s) {
                writeScan(w.writeByte(OP_SCAN), s);
            } else {
                throw KvException.of(ErrorCode.INVALID_ARGUMENT, branch + " op must not be null");
            }
        }
    }

    private static List<TxnOp> readOps(ByteReader r, String branch) {
        int n = readCount(r, branch + " op count", KvLimits.MAX_TXN_OPS);
        List<TxnOp> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int tag = r.readByte(branch + " op tag");
            ops.add(
                    switch (tag) {
                        case OP_PUT -> readPut(r);
                        case OP_GET -> new TxnOp.Get(r.readBytes("key", KvLimits.MAX_KEY_BYTES));
                        case OP_DELETE -> readDelete(r);
                        case OP_SCAN -> readScan(r);
                        default -> throw new WireFormatException("unknown " + branch + " op tag " + tag);
                    });
        }
        return ops;
    }
}
