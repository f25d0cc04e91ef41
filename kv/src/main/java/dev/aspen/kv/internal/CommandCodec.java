package dev.aspen.kv.internal;

import dev.aspen.kv.Compare;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvLimits;
import dev.aspen.kv.TxnOp;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned compact binary format of {@link Command}s and {@link Query}s: a version byte
 * ({@value #VERSION}), an opcode byte, then the fields as unsigned LEB128 varints and
 * varint-length-prefixed byte strings. Encoding and decoding both run {@link Validation}, so a
 * decoded command always satisfies the limits; malformed bytes fail with a {@link KvException}
 * ({@code invalid_argument} or {@code too_large}), never another exception.
 */
public final class CommandCodec {
    /** The format version this code writes and reads. */
    public static final int VERSION = 1;

    private static final int PUT = 1;
    private static final int DELETE = 2;
    private static final int PUT_ALL = 3;
    private static final int TXN = 4;
    private static final int LEASE_GRANT = 5;
    private static final int LEASE_KEEP_ALIVE = 6;
    private static final int LEASE_REVOKE = 7;
    private static final int LEASE_EXPIRE = 8;
    private static final int QUERY_GET = 0x41;
    private static final int QUERY_SCAN = 0x42;
    private static final int QUERY_LEASE = 0x43;
    private static final int OP_PUT = 1;
    private static final int OP_GET = 2;
    private static final int OP_DELETE = 3;
    private static final int OP_SCAN = 4;

    private CommandCodec() {}

    /** Validates and encodes a command. */
    public static byte[] encode(Command command) {
        Validation.check(command);
        ByteWriter w = new ByteWriter(64).writeByte(VERSION);
        if (command instanceof Command.Put p) {
            writePut(w.writeByte(PUT), p.op());
        } else if (command instanceof Command.Delete d) {
            writeDelete(w.writeByte(DELETE), d.op());
        } else if (command instanceof Command.PutAll pa) {
            w.writeByte(PUT_ALL).writeVarLong(pa.puts().size());
            pa.puts().forEach(p -> writePut(w, p));
        } else if (command instanceof Command.Txn t) {
            writeTxn(w.writeByte(TXN), t);
        } else if (command instanceof Command.LeaseGrant g) {
            w.writeByte(LEASE_GRANT).writeVarLong(g.ttlSeconds());
        } else if (command instanceof Command.LeaseKeepAlive k) {
            w.writeByte(LEASE_KEEP_ALIVE).writeVarLong(k.id());
        } else if (command instanceof Command.LeaseRevoke rv) {
            w.writeByte(LEASE_REVOKE).writeVarLong(rv.id());
        } else if (command instanceof Command.LeaseExpire e) {
            w.writeByte(LEASE_EXPIRE).writeVarLong(e.ids().size());
            e.ids().forEach(w::writeVarLong);
        } else {
            throw new IllegalStateException("unhandled command " + command);
        }
        return checkedSize(w);
    }

    /** Validates and encodes a query. */
    public static byte[] encode(Query query) {
        Validation.check(query);
        ByteWriter w = new ByteWriter(32).writeByte(VERSION);
        if (query instanceof Query.Get g) {
            w.writeByte(QUERY_GET).writeBytes(g.key());
        } else if (query instanceof Query.Scan s) {
            writeScan(w.writeByte(QUERY_SCAN), s.scan());
        } else if (query instanceof Query.LeaseTimeToLive l) {
            w.writeByte(QUERY_LEASE).writeVarLong(l.id());
        } else {
            throw new IllegalStateException("unhandled query " + query);
        }
        w.writeVarLong(query.minRevision());
        return checkedSize(w);
    }

    /** Decodes and validates a command. */
    public static Command decode(byte[] bytes) {
        ByteReader r = reader(bytes);
        int opcode = r.readByte("opcode");
        Command command =
                switch (opcode) {
                    case PUT -> new Command.Put(readPut(r));
                    case DELETE -> new Command.Delete(readDelete(r));
                    case PUT_ALL -> new Command.PutAll(readPuts(r));
                    case TXN -> readTxn(r);
                    case LEASE_GRANT -> new Command.LeaseGrant(r.readVarLong("ttl"));
                    case LEASE_KEEP_ALIVE -> new Command.LeaseKeepAlive(r.readVarLong("lease id"));
                    case LEASE_REVOKE -> new Command.LeaseRevoke(r.readVarLong("lease id"));
                    case LEASE_EXPIRE -> new Command.LeaseExpire(readIds(r));
                    default -> throw invalid("unknown command opcode " + opcode);
                };
        r.expectEnd("command");
        Validation.check(command);
        return command;
    }

    /** Decodes and validates a query. */
    public static Query decodeQuery(byte[] bytes) {
        ByteReader r = reader(bytes);
        int opcode = r.readByte("opcode");
        Query query =
                switch (opcode) {
                    case QUERY_GET ->
                        new Query.Get(r.readBytes("key", KvLimits.MAX_KEY_BYTES), r.readVarLong("min revision"));
                    case QUERY_SCAN -> new Query.Scan(readScan(r), r.readVarLong("min revision"));
                    case QUERY_LEASE ->
                        new Query.LeaseTimeToLive(r.readVarLong("lease id"), r.readVarLong("min revision"));
                    default -> throw invalid("unknown query opcode " + opcode);
                };
        r.expectEnd("query");
        Validation.check(query);
        return query;
    }

    private static ByteReader reader(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw invalid("empty command");
        }
        if (bytes.length > KvLimits.MAX_COMMAND_BYTES) {
            throw KvException.of(
                    ErrorCode.TOO_LARGE, "command of " + bytes.length + " bytes, limit " + KvLimits.MAX_COMMAND_BYTES);
        }
        ByteReader r = new ByteReader(bytes);
        int version = r.readByte("version");
        if (version != VERSION) {
            throw invalid("command format version " + version + ", this node speaks " + VERSION);
        }
        return r;
    }

    private static byte[] checkedSize(ByteWriter w) {
        if (w.size() > KvLimits.MAX_COMMAND_BYTES) {
            throw KvException.of(
                    ErrorCode.TOO_LARGE,
                    "request encodes to " + w.size() + " bytes, limit " + KvLimits.MAX_COMMAND_BYTES);
        }
        return w.toByteArray();
    }

    private static void writePut(ByteWriter w, TxnOp.Put p) {
        w.writeBytes(p.key()).writeBytes(p.value()).writeVarLong(p.lease()).writeBool(p.prevKv());
    }

    private static TxnOp.Put readPut(ByteReader r) {
        return new TxnOp.Put(
                r.readBytes("key", KvLimits.MAX_KEY_BYTES),
                r.readBytes("value", KvLimits.MAX_VALUE_BYTES),
                r.readVarLong("lease"),
                r.readBool("prevKv"));
    }

    private static List<TxnOp.Put> readPuts(ByteReader r) {
        int n = r.readVarInt("putAll count", KvLimits.MAX_TXN_OPS);
        List<TxnOp.Put> puts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            puts.add(readPut(r));
        }
        return puts;
    }

    private static void writeRange(ByteWriter w, KeyRange range) {
        w.writeByte(range.kind().ordinal()).writeBytes(range.start());
        if (range.kind() == KeyRange.Kind.RANGE) {
            w.writeBytes(range.end());
        }
    }

    private static KeyRange readRange(ByteReader r) {
        int kind = r.readByte("range kind");
        if (kind >= KeyRange.Kind.values().length) {
            throw invalid("unknown range kind " + kind);
        }
        KeyRange.Kind k = KeyRange.Kind.values()[kind];
        byte[] start = r.readBytes("range start", KvLimits.MAX_KEY_BYTES);
        byte[] end = k == KeyRange.Kind.RANGE ? r.readBytes("range end", KvLimits.MAX_KEY_BYTES) : new byte[0];
        return KeyRange.of(k, start, end);
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
        w.writeVarLong(s.limit()).writeBool(s.keysOnly());
    }

    private static TxnOp.Scan readScan(ByteReader r) {
        return new TxnOp.Scan(
                readRange(r), r.readVarInt("scan limit", KvLimits.MAX_SCAN_LIMIT), r.readBool("keysOnly"));
    }

    private static void writeTxn(ByteWriter w, Command.Txn t) {
        w.writeVarLong(t.compares().size());
        for (Compare c : t.compares()) {
            w.writeBytes(c.key()).writeByte(c.target().ordinal()).writeByte(c.op().ordinal());
            w.writeVarLong(c.number()).writeBytes(c.value());
        }
        writeOps(w, t.success());
        writeOps(w, t.failure());
    }

    private static Command.Txn readTxn(ByteReader r) {
        int n = r.readVarInt("compare count", KvLimits.MAX_TXN_OPS);
        List<Compare> compares = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] key = r.readBytes("compare key", KvLimits.MAX_KEY_BYTES);
            int target = r.readVarInt("compare target", Compare.Target.values().length - 1);
            int op = r.readVarInt("compare op", Compare.Op.values().length - 1);
            long number = r.readVarLong("compare number");
            byte[] value = r.readBytes("compare value", KvLimits.MAX_VALUE_BYTES);
            try {
                compares.add(new Compare(key, Compare.Target.values()[target], Compare.Op.values()[op], number, value));
            } catch (IllegalArgumentException e) {
                throw invalid(e.getMessage());
            }
        }
        return new Command.Txn(compares, readOps(r), readOps(r));
    }

    private static void writeOps(ByteWriter w, List<TxnOp> ops) {
        w.writeVarLong(ops.size());
        for (TxnOp op : ops) {
            if (op instanceof TxnOp.Put p) {
                writePut(w.writeByte(OP_PUT), p);
            } else if (op instanceof TxnOp.Get g) {
                w.writeByte(OP_GET).writeBytes(g.key());
            } else if (op instanceof TxnOp.Delete d) {
                writeDelete(w.writeByte(OP_DELETE), d);
            } else if (op instanceof TxnOp.Scan s) {
                writeScan(w.writeByte(OP_SCAN), s);
            } else {
                throw new IllegalStateException("unhandled op " + op);
            }
        }
    }

    private static List<TxnOp> readOps(ByteReader r) {
        int n = r.readVarInt("txn op count", KvLimits.MAX_TXN_OPS);
        List<TxnOp> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int tag = r.readByte("txn op");
            ops.add(
                    switch (tag) {
                        case OP_PUT -> readPut(r);
                        case OP_GET -> new TxnOp.Get(r.readBytes("key", KvLimits.MAX_KEY_BYTES));
                        case OP_DELETE -> readDelete(r);
                        case OP_SCAN -> readScan(r);
                        default -> throw invalid("unknown txn op " + tag);
                    });
        }
        return ops;
    }

    private static List<Long> readIds(ByteReader r) {
        int n = r.readVarInt("expire count", KvLimits.MAX_EXPIRE_BATCH);
        List<Long> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(r.readVarLong("lease id"));
        }
        return ids;
    }

    static KvException invalid(String message) {
        return KvException.of(ErrorCode.INVALID_ARGUMENT, message);
    }
}
