package dev.aspen.kv.internal;

import dev.aspen.kv.Compare;
import dev.aspen.kv.DeleteResponse;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.GetResponse;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValue;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvLimits;
import dev.aspen.kv.LeaseListener;
import dev.aspen.kv.LeaseResponse;
import dev.aspen.kv.LeaseRevokeResponse;
import dev.aspen.kv.LeaseTimeToLiveResponse;
import dev.aspen.kv.OpResult;
import dev.aspen.kv.PutAllResponse;
import dev.aspen.kv.PutResponse;
import dev.aspen.kv.ScanResponse;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.TxnResponse;
import dev.aspen.kv.WatchEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * The deterministic key/value state: the Chronicle-backed entries, the in-heap ordered key index,
 * the lease table and the revision. Executes decoded commands and queries; results are response
 * records or {@link KvException} values. Single-threaded (the apply thread).
 */
public final class KvState implements AutoCloseable {
    private static final byte[] EMPTY = new byte[0];

    /** Deterministic capacity limits; every node of a group must use the same values. */
    public record Capacity(long maxKeys, long inlineBytes, long largeValueBytes, int maxLeases) {}

    private static final class Lease {
        final long ttl;
        final NavigableSet<byte[]> keys = new TreeSet<>(Arrays::compareUnsigned);

        Lease(long ttl) {
            this.ttl = ttl;
        }
    }

    /** The changes of the write being applied, all at {@code rev}. */
    private static final class Batch {
        final long rev;
        final List<WatchHub.Change> changes = new ArrayList<>();

        Batch(long rev) {
            this.rev = rev;
        }
    }

    private final ChronicleKeyStore store;
    private final Capacity capacity;
    private final WatchHub hub;
    private final LeaseListener leaseListener;
    private final NavigableSet<byte[]> index = new TreeSet<>(Arrays::compareUnsigned);
    private final TreeMap<Long, Lease> leases = new TreeMap<>();
    private long revision;
    private long nextLeaseId;
    private long inlineBytes;
    private long largeBytes;

    /** Wraps {@code store} with the scalar state {@code meta}, rebuilding the index from the store. */
    public KvState(
            ChronicleKeyStore store, StateMeta meta, Capacity capacity, WatchHub hub, LeaseListener leaseListener) {
        this.store = store;
        this.capacity = capacity;
        this.hub = hub;
        this.leaseListener = leaseListener;
        this.revision = meta.revision();
        this.nextLeaseId = meta.nextLeaseId();
        meta.leaseTtls().forEach((id, ttl) -> leases.put(id, new Lease(ttl)));
        store.forEachHeader((key, header) -> {
            index.add(key);
            account(key, header.valueLength(), 1);
            if (header.lease() != 0) {
                Lease lease = leases.get(header.lease());
                if (lease == null) {
                    throw new IllegalStateException("key attached to unknown lease " + header.lease());
                }
                lease.keys.add(key);
            }
        });
    }

    /** The current revision. */
    public long revision() {
        return revision;
    }

    /** The scalar state at {@code appliedIndex}. */
    public StateMeta meta(long appliedIndex) {
        TreeMap<Long, Long> ttls = new TreeMap<>();
        leases.forEach((id, lease) -> ttls.put(id, lease.ttl));
        return new StateMeta(appliedIndex, revision, nextLeaseId, ttls);
    }

    /** Visits every key in unsigned order with its full entry. */
    public void forEachEntry(BiConsumer<byte[], StoredEntry> visitor) {
        for (byte[] key : index) {
            visitor.accept(key, store.get(key, true));
        }
    }

    /**
     * A CRC32C over every key with its full entry (revisions, version, lease and value), in key
     * order: equal states give equal fingerprints, and a changed bit in any key or value changes it.
     * Reads every value: as slow as a full scan.
     */
    public int fingerprint() {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        forEachEntry((key, entry) -> crc.update(new ByteWriter(32 + key.length + entry.value().length)
                .writeBytes(key)
                .writeVarLong(entry.createRevision())
                .writeVarLong(entry.modRevision())
                .writeVarLong(entry.version())
                .writeVarLong(entry.lease())
                .writeBytes(entry.value())
                .toByteArray()));
        return (int) crc.getValue();
    }

    /** Number of keys. */
    public int keyCount() {
        return index.size();
    }

    /** The map files' size on disk. */
    public long fileBytes() {
        return store.fileBytes();
    }

    /** Records that the map directory was renamed to {@code newDir}. */
    public void relocated(java.nio.file.Path newDir) {
        store.relocated(newDir);
    }

    /** Stores an entry while loading a snapshot (no revision change, no events). */
    void load(byte[] key, StoredEntry entry) {
        Validation.checkKey(key, "snapshot key");
        if (!index.add(key)) {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, "snapshot repeats a key");
        }
        store.put(key, entry, null);
        account(key, entry.valueLength(), 1);
        if (entry.lease() != 0) {
            Lease lease = leases.get(entry.lease());
            if (lease == null) {
                throw KvException.of(
                        ErrorCode.INVALID_ARGUMENT, "snapshot key attached to unknown lease " + entry.lease());
            }
            lease.keys.add(key);
        }
    }

    /** Applies a decoded command; never throws a {@link KvException} (returns it). */
    public Object apply(Command command) {
        try {
            if (command instanceof Command.Put p) {
                checkPuts(List.of(p.op()));
                return putOne(p.op());
            } else if (command instanceof Command.Delete d) {
                Batch b = new Batch(revision + 1);
                DeleteResponse r = delete(d.op(), b);
                return new DeleteResponse(commit(b), r.deleted(), r.prevKvs());
            } else if (command instanceof Command.PutAll pa) {
                return putAll(pa.puts());
            } else if (command instanceof Command.Txn t) {
                return txn(t);
            }
            return applyLease(command);
        } catch (KvException e) {
            return e;
        }
    }

    /** Runs a decoded query; never throws a {@link KvException} (returns it). */
    public Object query(Query query) {
        if (query.minRevision() > revision) {
            return KvException.of(
                    ErrorCode.UNAVAILABLE,
                    "local revision " + revision + " is below the requested minimum " + query.minRevision());
        }
        if (query instanceof Query.Get g) {
            return get(g.key());
        } else if (query instanceof Query.Scan s) {
            return scan(s.scan());
        } else if (query instanceof Query.LeaseTimeToLive l) {
            Lease lease = leases.get(l.id());
            if (lease == null) {
                return leaseNotFound(l.id());
            }
            return new LeaseTimeToLiveResponse(l.id(), lease.ttl, -1, List.copyOf(lease.keys), revision);
        }
        throw new IllegalStateException("unhandled query " + query);
    }

    private PutResponse putOne(TxnOp.Put op) {
        Batch b = new Batch(revision + 1);
        PutResponse r = doPut(op, b);
        commit(b);
        return r;
    }

    private PutAllResponse putAll(List<TxnOp.Put> puts) {
        checkPuts(puts);
        Batch b = new Batch(revision + 1);
        puts.forEach(p -> doPut(p, b));
        return new PutAllResponse(commit(b), puts.size());
    }

    private TxnResponse txn(Command.Txn t) {
        boolean succeeded = t.compares().stream().allMatch(this::holds);
        List<TxnOp> ops = succeeded ? t.success() : t.failure();
        List<TxnOp.Put> puts = new ArrayList<>();
        ops.stream().filter(TxnOp.Put.class::isInstance).forEach(op -> puts.add((TxnOp.Put) op));
        checkPuts(puts);
        Batch b = new Batch(revision + 1);
        List<OpResult> results = new ArrayList<>(ops.size());
        for (TxnOp op : ops) {
            results.add(execute(op, b));
        }
        long rev = commit(b);
        results.replaceAll(r -> at(r, rev));
        return new TxnResponse(rev, succeeded, results);
    }

    private OpResult execute(TxnOp op, Batch b) {
        if (op instanceof TxnOp.Put p) {
            return doPut(p, b);
        } else if (op instanceof TxnOp.Get g) {
            return get(g.key());
        } else if (op instanceof TxnOp.Delete d) {
            return delete(d, b);
        } else if (op instanceof TxnOp.Scan s) {
            return scan(s);
        }
        throw new IllegalStateException("unhandled op " + op);
    }

    private static OpResult at(OpResult r, long rev) {
        if (r instanceof PutResponse p) {
            return new PutResponse(rev, p.prevKv());
        } else if (r instanceof GetResponse g) {
            return new GetResponse(rev, g.kv());
        } else if (r instanceof DeleteResponse d) {
            return new DeleteResponse(rev, d.deleted(), d.prevKvs());
        } else if (r instanceof ScanResponse s) {
            return new ScanResponse(rev, s.kvs(), s.more());
        }
        throw new IllegalStateException("unhandled result " + r);
    }

    private boolean holds(Compare c) {
        StoredEntry e = store.get(c.key(), c.target() == Compare.Target.VALUE);
        if (c.target() == Compare.Target.VALUE) {
            return e != null && c.accepts(Integer.signum(Arrays.compareUnsigned(e.value(), c.value())));
        }
        long actual = e == null
                ? 0
                : switch (c.target()) {
                    case VERSION -> e.version();
                    case CREATE_REVISION -> e.createRevision();
                    case MOD_REVISION -> e.modRevision();
                    case LEASE -> e.lease();
                    case VALUE -> throw new IllegalStateException("value handled above");
                };
        return c.accepts(Long.compare(actual, c.number()));
    }

    /** Fails (as a thrown KvException, caught by apply) if any put names a missing lease or overflows. */
    private void checkPuts(List<TxnOp.Put> puts) {
        long newKeys = 0;
        long inlineDelta = 0;
        long largeDelta = 0;
        for (TxnOp.Put p : puts) {
            if (p.lease() != 0 && !leases.containsKey(p.lease())) {
                throw leaseNotFound(p.lease());
            }
            StoredEntry old = store.get(p.key(), false);
            int oldLength = old == null ? 0 : old.valueLength();
            newKeys += old == null ? 1 : 0;
            inlineDelta += inlineSize(p.key(), p.value().length) - (old == null ? 0 : inlineSize(p.key(), oldLength));
            largeDelta += largeSize(p.value().length) - largeSize(oldLength);
        }
        if (index.size() + newKeys > capacity.maxKeys()) {
            throw KvException.of(
                    ErrorCode.FAILED_PRECONDITION,
                    "store full: " + index.size() + " keys, limit " + capacity.maxKeys());
        }
        if (inlineBytes + inlineDelta > capacity.inlineBytes()
                || largeBytes + largeDelta > capacity.largeValueBytes()) {
            throw KvException.of(
                    ErrorCode.FAILED_PRECONDITION,
                    "store full: " + (inlineBytes + largeBytes) + " bytes stored, limits " + capacity.inlineBytes()
                            + " inline + " + capacity.largeValueBytes() + " large");
        }
    }

    private PutResponse doPut(TxnOp.Put op, Batch b) {
        byte[] key = op.key();
        StoredEntry old = store.get(key, true);
        long create = old == null ? b.rev : old.createRevision();
        long version = old == null ? 1 : old.version() + 1;
        StoredEntry entry = new StoredEntry(create, b.rev, version, op.lease(), op.value().length, op.value());
        store.put(key, entry, old);
        account(key, entry.valueLength(), 1);
        if (old == null) {
            index.add(key);
        } else {
            account(key, old.valueLength(), -1);
            detach(key, old.lease());
        }
        if (op.lease() != 0) {
            leases.get(op.lease()).keys.add(key);
        }
        KeyValue prev = old == null ? null : old.toKeyValue(key, true);
        b.changes.add(new WatchHub.Change(WatchEvent.Type.PUT, entry.toKeyValue(key, true), prev));
        return new PutResponse(b.rev, op.prevKv() ? Optional.ofNullable(prev) : Optional.empty());
    }

    private DeleteResponse delete(TxnOp.Delete op, Batch b) {
        List<byte[]> keys = keysIn(op.range(), Integer.MAX_VALUE);
        List<KeyValue> prevs = new ArrayList<>();
        for (byte[] key : keys) {
            KeyValue prev = deleteKey(key, b);
            if (op.prevKv()) {
                prevs.add(prev);
            }
        }
        return new DeleteResponse(revision, keys.size(), prevs);
    }

    private KeyValue deleteKey(byte[] key, Batch b) {
        StoredEntry old = store.get(key, true);
        store.remove(key, old);
        index.remove(key);
        account(key, old.valueLength(), -1);
        detach(key, old.lease());
        KeyValue prev = old.toKeyValue(key, true);
        b.changes.add(new WatchHub.Change(WatchEvent.Type.DELETE, new KeyValue(key, EMPTY, 0, b.rev, 0, 0), prev));
        return prev;
    }

    private GetResponse get(byte[] key) {
        StoredEntry e = store.get(key, true);
        return new GetResponse(revision, Optional.ofNullable(e == null ? null : e.toKeyValue(key, true)));
    }

    private ScanResponse scan(TxnOp.Scan op) {
        int limit = op.limit() == 0 ? KvLimits.MAX_SCAN_LIMIT : op.limit();
        List<byte[]> keys = keysIn(op.range(), limit + 1);
        List<KeyValue> kvs = new ArrayList<>(Math.min(keys.size(), limit));
        long bytes = 0;
        for (byte[] key : keys) {
            if (kvs.size() == limit) {
                break;
            }
            StoredEntry e = store.get(key, !op.keysOnly());
            bytes += key.length + (op.keysOnly() ? 0 : e.valueLength());
            if (!kvs.isEmpty() && bytes > KvLimits.MAX_SCAN_RESPONSE_BYTES) {
                break;
            }
            kvs.add(e.toKeyValue(key, !op.keysOnly()));
        }
        return new ScanResponse(revision, kvs, kvs.size() < keys.size());
    }

    private List<byte[]> keysIn(KeyRange range, int max) {
        List<byte[]> out = new ArrayList<>();
        if (range.kind() == KeyRange.Kind.KEY) {
            byte[] found = index.ceiling(range.start());
            if (found != null && Arrays.equals(found, range.start())) {
                out.add(found);
            }
            return out;
        }
        byte[] upper = range.upperBound();
        NavigableSet<byte[]> view = upper.length == 0
                ? index.tailSet(range.start(), true)
                : index.subSet(range.start(), true, upper, false);
        for (byte[] key : view) {
            if (out.size() == max) {
                break;
            }
            out.add(key);
        }
        return out;
    }

    private Object applyLease(Command command) {
        if (command instanceof Command.LeaseGrant g) {
            if (leases.size() >= capacity.maxLeases()) {
                return KvException.of(
                        ErrorCode.FAILED_PRECONDITION,
                        "store full: " + leases.size() + " leases exist, limit " + capacity.maxLeases());
            }
            long id = nextLeaseId++;
            leases.put(id, new Lease(g.ttlSeconds()));
            leaseListener.onGranted(id, g.ttlSeconds());
            return new LeaseResponse(id, g.ttlSeconds(), revision);
        } else if (command instanceof Command.LeaseKeepAlive k) {
            Lease lease = leases.get(k.id());
            if (lease == null) {
                return leaseNotFound(k.id());
            }
            leaseListener.onRenewed(k.id(), lease.ttl);
            return new LeaseResponse(k.id(), lease.ttl, revision);
        } else if (command instanceof Command.LeaseRevoke r) {
            if (!leases.containsKey(r.id())) {
                return leaseNotFound(r.id());
            }
            return removeLeases(List.of(r.id()));
        } else if (command instanceof Command.LeaseExpire e) {
            return removeLeases(e.ids());
        }
        throw new IllegalStateException("unhandled command " + command);
    }

    private LeaseRevokeResponse removeLeases(List<Long> ids) {
        Batch b = new Batch(revision + 1);
        for (long id : ids) {
            Lease lease = leases.get(id);
            if (lease != null) {
                for (byte[] key : List.copyOf(lease.keys)) {
                    deleteKey(key, b);
                }
                leases.remove(id);
                leaseListener.onRemoved(id);
            }
        }
        return new LeaseRevokeResponse(commit(b), b.changes.size());
    }

    private void detach(byte[] key, long leaseId) {
        if (leaseId != 0) {
            leases.get(leaseId).keys.remove(key);
        }
    }

    private long commit(Batch b) {
        if (!b.changes.isEmpty()) {
            revision = b.rev;
            hub.publish(b.rev, b.changes);
        }
        return revision;
    }

    private void account(byte[] key, int valueLength, int sign) {
        inlineBytes += sign * inlineSize(key, valueLength);
        largeBytes += sign * largeSize(valueLength);
    }

    private static long inlineSize(byte[] key, int valueLength) {
        return key.length + (ChronicleKeyStore.isChunked(valueLength) ? 0 : valueLength);
    }

    private static long largeSize(int valueLength) {
        return ChronicleKeyStore.isChunked(valueLength) ? valueLength : 0;
    }

    private static KvException leaseNotFound(long id) {
        return KvException.of(ErrorCode.LEASE_NOT_FOUND, "lease " + id + " not found");
    }

    @Override
    public void close() {
        store.close();
    }
}
