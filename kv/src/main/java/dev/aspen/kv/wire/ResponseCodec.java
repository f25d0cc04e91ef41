package dev.aspen.kv.wire;

import static dev.aspen.kv.wire.WireIo.readCount;
import static dev.aspen.kv.wire.WireIo.readKeyValue;
import static dev.aspen.kv.wire.WireIo.readNumber;
import static dev.aspen.kv.wire.WireIo.readOptionalKv;
import static dev.aspen.kv.wire.WireIo.writeBoundedInt;
import static dev.aspen.kv.wire.WireIo.writeKeyValue;
import static dev.aspen.kv.wire.WireIo.writeNumber;
import static dev.aspen.kv.wire.WireIo.writeOptionalKv;

import dev.aspen.kv.DeleteResponse;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.GetResponse;
import dev.aspen.kv.KeyValue;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvLimits;
import dev.aspen.kv.LeaseResponse;
import dev.aspen.kv.LeaseRevokeResponse;
import dev.aspen.kv.LeaseTimeToLiveResponse;
import dev.aspen.kv.OpResult;
import dev.aspen.kv.PutAllResponse;
import dev.aspen.kv.PutResponse;
import dev.aspen.kv.ScanResponse;
import dev.aspen.kv.TxnResponse;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.internal.ByteReader;
import dev.aspen.kv.internal.ByteWriter;
import java.util.ArrayList;
import java.util.List;

/** Bodies of responses, error values and watch events (after the version byte). */
final class ResponseCodec {
    static final int PUT = 0x21;
    static final int GET = 0x22;
    static final int DELETE = 0x23;
    static final int PUT_ALL = 0x24;
    static final int SCAN = 0x25;
    static final int TXN = 0x26;
    static final int LEASE = 0x27;
    static final int LEASE_REVOKE = 0x28;
    static final int LEASE_TIME_TO_LIVE = 0x29;
    static final int ERROR = 0x3F;
    static final int EVENT = 0x41;

    /** Most items of a list with no limit of its own (delete prevKvs, lease keys); the message cap bounds it too. */
    static final int MAX_LIST_ITEMS = Integer.MAX_VALUE - 8;

    private ResponseCodec() {}

    /** Writes a response record; {@code null} or an unknown type is a programming error. */
    static void write(ByteWriter w, Object result) {
        if (result instanceof OpResult op) {
            writeOpResult(w, op);
        } else if (result instanceof TxnResponse t) {
            writeNumber(w.writeByte(TXN), t.revision());
            w.writeBool(t.succeeded());
            writeBoundedInt(w, "txn result count", t.results().size(), KvLimits.MAX_TXN_OPS);
            t.results().forEach(op -> writeOpResult(w, op));
        } else if (result instanceof PutAllResponse p) {
            writeNumber(w.writeByte(PUT_ALL), p.revision());
            writeNumber(w, p.count());
        } else if (result instanceof LeaseResponse l) {
            writeNumber(w.writeByte(LEASE), l.id());
            writeNumber(w, l.ttlSeconds());
            writeNumber(w, l.revision());
        } else if (result instanceof LeaseRevokeResponse l) {
            writeNumber(w.writeByte(LEASE_REVOKE), l.revision());
            writeNumber(w, l.deletedKeys());
        } else if (result instanceof LeaseTimeToLiveResponse l) {
            writeLeaseTimeToLive(w.writeByte(LEASE_TIME_TO_LIVE), l);
        } else if (result instanceof KvException e) {
            writeError(w.writeByte(ERROR), e);
        } else {
            throw new IllegalArgumentException("not a key/value response: " + result);
        }
    }

    static Object read(ByteReader r) {
        int tag = r.readByte("response tag");
        return switch (tag) {
            case PUT, GET, DELETE, SCAN -> readOpResult(r, tag);
            case TXN -> readTxn(r);
            case PUT_ALL -> new PutAllResponse(readNumber(r, "revision"), readInt(r, "putAll count"));
            case LEASE ->
                new LeaseResponse(readNumber(r, "lease id"), readNumber(r, "lease ttl"), readNumber(r, "revision"));
            case LEASE_REVOKE -> new LeaseRevokeResponse(readNumber(r, "revision"), readNumber(r, "deleted keys"));
            case LEASE_TIME_TO_LIVE -> readLeaseTimeToLive(r);
            case ERROR -> readError(r);
            default -> throw new WireFormatException("unknown response tag " + tag);
        };
    }

    static void writeEvent(ByteWriter w, WatchEvent e) {
        if (e == null) {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, "event must not be null");
        }
        writeNumber(w.writeByte(EVENT), e.revision());
        WireIo.writeEnum(w, "event type", e.type());
        writeKeyValue(w, e.kv());
        writeOptionalKv(w, e.prevKv());
    }

    static WatchEvent readEvent(ByteReader r) {
        int tag = r.readByte("event tag");
        if (tag != EVENT) {
            throw new WireFormatException("unknown event tag " + tag);
        }
        return new WatchEvent(
                readNumber(r, "event revision"),
                WireIo.readEnum(r, "event type", WatchEvent.Type.values()),
                readKeyValue(r),
                readOptionalKv(r, "event prevKv"));
    }

    private static void writeOpResult(ByteWriter w, OpResult result) {
        if (result instanceof PutResponse p) {
            writeNumber(w.writeByte(PUT), p.revision());
            writeOptionalKv(w, p.prevKv());
        } else if (result instanceof GetResponse g) {
            writeNumber(w.writeByte(GET), g.revision());
            writeOptionalKv(w, g.kv());
        } else if (result instanceof DeleteResponse d) {
            writeNumber(w.writeByte(DELETE), d.revision());
            writeNumber(w, d.deleted());
            writeKvs(w, "delete prevKvs count", d.prevKvs(), MAX_LIST_ITEMS);
        } else if (result instanceof ScanResponse s) {
            writeNumber(w.writeByte(SCAN), s.revision());
            writeKvs(w, "scan kv count", s.kvs(), KvLimits.MAX_SCAN_LIMIT);
            w.writeBool(s.more());
        } else {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, "op result must not be null");
        }
    }

    private static OpResult readOpResult(ByteReader r, int tag) {
        long revision = readNumber(r, "revision");
        return switch (tag) {
            case PUT -> new PutResponse(revision, readOptionalKv(r, "prevKv"));
            case GET -> new GetResponse(revision, readOptionalKv(r, "kv"));
            case DELETE ->
                new DeleteResponse(
                        revision, readNumber(r, "deleted"), readKvs(r, "delete prevKvs count", MAX_LIST_ITEMS));
            case SCAN ->
                new ScanResponse(revision, readKvs(r, "scan kv count", KvLimits.MAX_SCAN_LIMIT), r.readBool("more"));
            default -> throw new WireFormatException("unknown op result tag " + tag);
        };
    }

    private static TxnResponse readTxn(ByteReader r) {
        long revision = readNumber(r, "revision");
        boolean succeeded = r.readBool("txn succeeded");
        int n = readCount(r, "txn result count", KvLimits.MAX_TXN_OPS);
        List<OpResult> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            results.add(readOpResult(r, r.readByte("txn result tag")));
        }
        return new TxnResponse(revision, succeeded, results);
    }

    private static void writeKvs(ByteWriter w, String field, List<KeyValue> kvs, int max) {
        writeBoundedInt(w, field, kvs.size(), max);
        kvs.forEach(kv -> writeKeyValue(w, kv));
    }

    private static List<KeyValue> readKvs(ByteReader r, String field, int max) {
        int n = readCount(r, field, max);
        List<KeyValue> kvs = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            kvs.add(readKeyValue(r));
        }
        return kvs;
    }

    private static void writeLeaseTimeToLive(ByteWriter w, LeaseTimeToLiveResponse l) {
        writeNumber(w, l.id());
        writeNumber(w, l.grantedTtlSeconds());
        writeNumber(w, l.remainingMillis());
        writeBoundedInt(w, "lease key count", l.keys().size(), MAX_LIST_ITEMS);
        l.keys().forEach(k -> WireIo.writeBytes(w, "lease key", k, KvLimits.MAX_KEY_BYTES));
        writeNumber(w, l.revision());
    }

    private static LeaseTimeToLiveResponse readLeaseTimeToLive(ByteReader r) {
        long id = readNumber(r, "lease id");
        long granted = readNumber(r, "lease granted ttl");
        long remaining = readNumber(r, "lease remaining millis");
        int n = readCount(r, "lease key count", MAX_LIST_ITEMS);
        List<byte[]> keys = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            keys.add(r.readBytes("lease key", KvLimits.MAX_KEY_BYTES));
        }
        return new LeaseTimeToLiveResponse(id, granted, remaining, keys, readNumber(r, "revision"));
    }

    private static int readInt(ByteReader r, String field) {
        long v = readNumber(r, field);
        if (v != (int) v) {
            throw new WireFormatException(field + " " + v + " does not fit an int");
        }
        return (int) v;
    }

    /**
     * Code wire name, then for {@code not_leader} a presence byte and the leader id, for {@code
     * compacted} the requested and oldest revisions, for every other code the message (the first
     * two rebuild their message from those fields).
     */
    private static void writeError(ByteWriter w, KvException e) {
        ErrorCode code = e.code();
        WireIo.writeText(w, "error code", code.wireName());
        if (code == ErrorCode.NOT_LEADER) {
            w.writeBool(e.leaderId().isPresent());
            e.leaderId().ifPresent(id -> WireIo.writeText(w, "leader id", id));
        } else if (code == ErrorCode.COMPACTED) {
            writeNumber(w, e.requestedRevision());
            writeNumber(w, e.oldestRevision());
        } else {
            WireIo.writeText(w, "error message", message(e));
        }
    }

    private static KvException readError(ByteReader r) {
        String name = WireIo.readText(r, "error code");
        ErrorCode code;
        try {
            code = ErrorCode.fromWireName(name);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException("error code: " + e.getMessage());
        }
        if (code == ErrorCode.NOT_LEADER) {
            boolean known = r.readBool("leader id present");
            return KvException.notLeader(known ? WireIo.readText(r, "leader id") : null);
        }
        if (code == ErrorCode.COMPACTED) {
            return KvException.compacted(readNumber(r, "compacted requested"), readNumber(r, "compacted oldest"));
        }
        return KvException.of(code, WireIo.readText(r, "error message"));
    }

    /** The message without its {@code code: } prefix, cut to {@link WireIo#MAX_MESSAGE_CHARS}. */
    static String message(KvException e) {
        String full = e.getMessage();
        String prefix = e.code().wireName() + ": ";
        String text = full.startsWith(prefix) ? full.substring(prefix.length()) : full;
        return text.length() <= WireIo.MAX_MESSAGE_CHARS ? text : text.substring(0, WireIo.MAX_MESSAGE_CHARS);
    }
}
