package dev.aspen.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.kv.internal.Command;
import dev.aspen.kv.internal.CommandCodec;
import dev.aspen.kv.internal.Query;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Model-based check: random sequences of every command and query, applied to the state machine and
 * to an independent in-heap reference model (a TreeMap of ISO-8859-1 strings, whose char order is
 * unsigned byte order), give identical results, revisions and watch events.
 */
class KvModelProperties {
    private static final String[] KEYS = {"a", "ab", "abc", "b", "ba", "c", "d", "\u00ff", "\u00ff\u00ff", "\u0000"};

    /** How the run changes machines half-way: not at all, by a clean restart, or by a snapshot install. */
    enum Switch {
        NONE,
        CLEAN_RESTART,
        SNAPSHOT_INSTALL
    }

    /** The machine under test and the events its all-keys watch has seen. */
    private record Run(KvStateMachine machine, Collector live, Path dir) {
        static Run open(Path dir) {
            KvStateMachine machine = KvStateMachine.open(config(dir));
            Collector live = new Collector(new ArrayList<>());
            machine.watch(KeyRange.prefix(new byte[0]), 0, true, live);
            return new Run(machine, live, dir);
        }
    }

    @Property(tries = 60)
    void stateMachineMatchesReferenceModel(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 150) int length, @ForAll Switch switchKind)
            throws IOException {
        Path dir = Files.createTempDirectory("kv-model");
        Random random = new Random(seed);
        int switchAt = random.nextInt(length);
        Model model = new Model();
        List<byte[]> log = new ArrayList<>();
        Run run = Run.open(dir.resolve("m0"));
        long switchedAtRevision = 0;
        try {
            for (int step = 0; step < length; step++) {
                if (step == switchAt && switchKind != Switch.NONE) {
                    assertThat(render(run.live().sink())).isEqualTo(render(model.events));
                    run = switchMachine(run, switchKind, random.nextInt(300) + 1);
                    switchedAtRevision = model.revision;
                }
                Object request = randomRequest(random, model);
                String expected = render(model.run(request));
                String actual;
                try {
                    if (request instanceof Query q) {
                        actual = render(run.machine().query(CommandCodec.encode(q)));
                    } else {
                        byte[] bytes = CommandCodec.encode((Command) request);
                        log.add(bytes);
                        actual = render(run.machine().apply(log.size(), bytes));
                    }
                } catch (KvException e) {
                    actual = render(e);
                }
                assertThat(actual).as("step %d: %s", step, request).isEqualTo(expected);
            }
            long since = switchedAtRevision;
            List<WatchEvent> expectedEvents =
                    model.events.stream().filter(e -> e.revision() > since).toList();
            assertThat(run.machine().revision()).isEqualTo(model.revision);
            assertThat(render(run.live().sink())).isEqualTo(render(expectedEvents));
            List<WatchEvent> replayed = new ArrayList<>();
            run.machine().watch(KeyRange.prefix(new byte[0]), since + 1, true, new Collector(replayed));
            assertThat(render(replayed)).isEqualTo(render(expectedEvents));
            assertThat(run.live().cancels()).isEmpty();
            assertSameSnapshotAsFreshReplay(run.machine(), log, dir.resolve("replay"));
        } finally {
            run.machine().close();
            deleteTree(dir);
        }
    }

    private static Run switchMachine(Run run, Switch kind, int maxChunk) {
        if (kind == Switch.CLEAN_RESTART) {
            run.machine().close();
            Run reopened = Run.open(run.dir());
            assertThat(reopened.machine().reusedOnOpen()).isTrue();
            return reopened;
        }
        List<byte[]> chunks = new ArrayList<>();
        run.machine().takeSnapshot(run.machine().appliedIndex(), maxChunk, chunks::add);
        Run fresh = Run.open(run.dir().resolveSibling(run.dir().getFileName() + "x"));
        if (run.machine().appliedIndex() > 0) {
            fresh.machine().installSnapshot(run.machine().appliedIndex(), chunks);
        }
        assertThat(fresh.live().cancels()).hasSize(run.machine().appliedIndex() > 0 ? 1 : 0);
        run.machine().close();
        Collector live = new Collector(new ArrayList<>());
        fresh.machine().watch(KeyRange.prefix(new byte[0]), 0, true, live);
        return new Run(fresh.machine(), live, fresh.dir());
    }

    private static void assertSameSnapshotAsFreshReplay(KvStateMachine machine, List<byte[]> log, Path dir) {
        try (KvStateMachine replay = KvStateMachine.open(config(dir))) {
            for (int i = 0; i < log.size(); i++) {
                replay.apply(i + 1, log.get(i));
            }
            assertThat(snapshotBytes(replay)).isEqualTo(snapshotBytes(machine));
        }
    }

    private static byte[] snapshotBytes(KvStateMachine m) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        m.takeSnapshot(m.appliedIndex(), 64 * 1024, out::writeBytes);
        return out.toByteArray();
    }

    private static KvConfig config(Path dir) {
        return KvConfig.builder(dir)
                .maxKeys(1_000)
                .largeValueBytes(KvLimits.MAX_VALUE_BYTES)
                .watchExecutor(Runnable::run)
                .build();
    }

    // ---- random requests -------------------------------------------------------------------

    private static Object randomRequest(Random r, Model model) {
        return switch (r.nextInt(14)) {
            case 0, 1, 2 -> new Command.Put(randomPut(r, model));
            case 3 -> new Command.Delete(new TxnOp.Delete(randomRange(r), r.nextBoolean()));
            case 4 ->
                new Command.PutAll(Stream.generate(() -> randomPut(r, model))
                        .limit(1 + r.nextInt(3))
                        .toList());
            case 5, 6 ->
                new Command.Txn(
                        Stream.generate(() -> randomCompare(r))
                                .limit(r.nextInt(3))
                                .toList(),
                        randomOps(r, model),
                        randomOps(r, model));
            case 7 -> new Command.LeaseGrant(1 + r.nextInt(100));
            case 8 -> new Command.LeaseKeepAlive(randomLease(r, model));
            case 9 -> new Command.LeaseRevoke(randomLease(r, model));
            case 10 -> new Command.LeaseExpire(List.of(randomLease(r, model), randomLease(r, model)));
            case 11 -> new Query.Get(key(r), 0);
            case 12 -> new Query.Scan(new TxnOp.Scan(randomRange(r), r.nextInt(4), r.nextBoolean()), 0);
            default -> new Query.LeaseTimeToLive(randomLease(r, model), 0);
        };
    }

    private static byte[] key(Random r) {
        return KEYS[r.nextInt(KEYS.length)].getBytes(StandardCharsets.ISO_8859_1);
    }

    private static TxnOp.Put randomPut(Random r, Model model) {
        byte[] value = r.nextInt(20) == 0
                ? new byte[1_025 + r.nextInt(70_000)]
                : ("v" + r.nextInt(5)).getBytes(StandardCharsets.ISO_8859_1);
        if (value.length > 100) {
            value[r.nextInt(value.length)] = (byte) r.nextInt();
        }
        long lease = r.nextInt(3) == 0 ? randomLease(r, model) : 0;
        return new TxnOp.Put(key(r), value, lease, r.nextBoolean());
    }

    private static long randomLease(Random r, Model model) {
        return 1 + r.nextInt((int) model.nextLease + 1);
    }

    private static KeyRange randomRange(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> KeyRange.key(key(r));
            case 1 -> KeyRange.prefix(r.nextInt(5) == 0 ? new byte[0] : key(r));
            case 2 -> KeyRange.between(key(r), new byte[0]);
            default -> KeyRange.between(key(r), key(r));
        };
    }

    private static Compare randomCompare(Random r) {
        Compare.Op op = Compare.Op.values()[r.nextInt(4)];
        Compare.Target target = Compare.Target.values()[r.nextInt(5)];
        return target == Compare.Target.VALUE
                ? Compare.value(key(r), op, ("v" + r.nextInt(5)).getBytes(StandardCharsets.ISO_8859_1))
                : Compare.number(key(r), target, op, r.nextInt(6));
    }

    private static List<TxnOp> randomOps(Random r, Model model) {
        List<TxnOp> ops = new ArrayList<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            ops.add(
                    switch (r.nextInt(4)) {
                        case 0 -> randomPut(r, model);
                        case 1 -> new TxnOp.Get(key(r));
                        case 2 -> new TxnOp.Delete(randomRange(r), r.nextBoolean());
                        default -> new TxnOp.Scan(randomRange(r), r.nextInt(3), r.nextBoolean());
                    });
        }
        return ops;
    }

    // ---- the reference model ---------------------------------------------------------------

    private record Entry(byte[] value, long create, long mod, long version, long lease) {}

    private static final class Model {
        final TreeMap<String, Entry> data = new TreeMap<>();
        final TreeMap<Long, Long> leases = new TreeMap<>();
        final List<WatchEvent> events = new ArrayList<>();
        long revision;
        long nextLease = 1;
        long pending;
        boolean changed;

        Object run(Object request) {
            if (request instanceof Query q) {
                boolean valid =
                        !(q instanceof Query.Scan s) || validRange(s.scan().range());
                return valid ? query(q) : KvException.of(ErrorCode.INVALID_ARGUMENT, "model");
            }
            if (!staticallyValid((Command) request)) {
                return KvException.of(ErrorCode.INVALID_ARGUMENT, "model");
            }
            pending = revision + 1;
            changed = false;
            Object result = apply((Command) request);
            if (changed) {
                revision = pending;
            }
            return result instanceof LongFunction<?> f ? f.apply(revision) : result;
        }

        Object apply(Command c) {
            if (c instanceof Command.Put p) {
                return leasesMissing(List.of(p.op())) ? leaseNotFound() : put(p.op());
            } else if (c instanceof Command.Delete d) {
                DeleteResponse r = delete(d.op());
                return (LongFunction<Object>) rev -> new DeleteResponse(rev, r.deleted(), r.prevKvs());
            } else if (c instanceof Command.PutAll pa) {
                if (leasesMissing(pa.puts())) {
                    return leaseNotFound();
                }
                pa.puts().forEach(this::put);
                return (LongFunction<Object>)
                        rev -> new PutAllResponse(rev, pa.puts().size());
            } else if (c instanceof Command.Txn t) {
                return txn(t);
            } else if (c instanceof Command.LeaseGrant g) {
                leases.put(nextLease, g.ttlSeconds());
                return new LeaseResponse(nextLease++, g.ttlSeconds(), revision);
            } else if (c instanceof Command.LeaseKeepAlive k) {
                return leases.containsKey(k.id())
                        ? new LeaseResponse(k.id(), leases.get(k.id()), revision)
                        : leaseNotFound();
            } else if (c instanceof Command.LeaseRevoke r) {
                return leases.containsKey(r.id()) ? dropLeases(List.of(r.id())) : leaseNotFound();
            }
            return dropLeases(((Command.LeaseExpire) c).ids());
        }

        Object txn(Command.Txn t) {
            boolean ok = t.compares().stream().allMatch(this::holds);
            List<TxnOp> ops = ok ? t.success() : t.failure();
            List<TxnOp.Put> puts = ops.stream()
                    .filter(TxnOp.Put.class::isInstance)
                    .map(TxnOp.Put.class::cast)
                    .toList();
            if (leasesMissing(puts)) {
                return leaseNotFound();
            }
            List<LongFunction<OpResult>> results = new ArrayList<>();
            for (TxnOp op : ops) {
                if (op instanceof TxnOp.Put p) {
                    PutResponse r = put(p);
                    results.add(rev -> new PutResponse(rev, r.prevKv()));
                } else if (op instanceof TxnOp.Get g) {
                    GetResponse r = get(g.key());
                    results.add(rev -> new GetResponse(rev, r.kv()));
                } else if (op instanceof TxnOp.Delete d) {
                    DeleteResponse r = delete(d);
                    results.add(rev -> new DeleteResponse(rev, r.deleted(), r.prevKvs()));
                } else {
                    ScanResponse r = scan(((TxnOp.Scan) op));
                    results.add(rev -> new ScanResponse(rev, r.kvs(), r.more()));
                }
            }
            return (LongFunction<Object>) rev -> new TxnResponse(
                    rev, ok, results.stream().map(f -> f.apply(rev)).toList());
        }

        boolean holds(Compare c) {
            Entry e = data.get(str(c.key()));
            long actual;
            switch (c.target()) {
                case VALUE -> {
                    return e != null && c.accepts(Integer.signum(Arrays.compareUnsigned(e.value(), c.value())));
                }
                case VERSION -> actual = e == null ? 0 : e.version();
                case CREATE_REVISION -> actual = e == null ? 0 : e.create();
                case MOD_REVISION -> actual = e == null ? 0 : e.mod();
                default -> actual = e == null ? 0 : e.lease();
            }
            return c.accepts(Long.compare(actual, c.number()));
        }

        PutResponse put(TxnOp.Put p) {
            String k = str(p.key());
            Entry old = data.get(k);
            Entry now = new Entry(
                    p.value(),
                    old == null ? pending : old.create(),
                    pending,
                    old == null ? 1 : old.version() + 1,
                    p.lease());
            data.put(k, now);
            changed = true;
            KeyValue prev = old == null ? null : kv(k, old);
            events.add(new WatchEvent(pending, WatchEvent.Type.PUT, kv(k, now), Optional.ofNullable(prev)));
            return new PutResponse(pending, p.prevKv() ? Optional.ofNullable(prev) : Optional.empty());
        }

        DeleteResponse delete(TxnOp.Delete d) {
            List<String> keys = data.keySet().stream()
                    .filter(k -> d.range().contains(bytes(k)))
                    .toList();
            List<KeyValue> prevs = new ArrayList<>();
            for (String k : keys) {
                KeyValue prev = kv(k, data.remove(k));
                changed = true;
                events.add(new WatchEvent(
                        pending,
                        WatchEvent.Type.DELETE,
                        new KeyValue(bytes(k), new byte[0], 0, pending, 0, 0),
                        Optional.of(prev)));
                if (d.prevKv()) {
                    prevs.add(prev);
                }
            }
            return new DeleteResponse(revision, keys.size(), prevs);
        }

        Object dropLeases(List<Long> ids) {
            long deleted = 0;
            for (long id : ids) {
                if (leases.remove(id) != null) {
                    List<String> keys = data.entrySet().stream()
                            .filter(e -> e.getValue().lease() == id)
                            .map(Map.Entry::getKey)
                            .toList();
                    for (String k : keys) {
                        delete(new TxnOp.Delete(KeyRange.key(bytes(k)), false));
                    }
                    deleted += keys.size();
                }
            }
            long n = deleted;
            return (LongFunction<Object>) rev -> new LeaseRevokeResponse(rev, n);
        }

        Object query(Query q) {
            if (q instanceof Query.Get g) {
                return get(g.key());
            } else if (q instanceof Query.Scan s) {
                return scan(s.scan());
            }
            long id = ((Query.LeaseTimeToLive) q).id();
            if (!leases.containsKey(id)) {
                return leaseNotFound();
            }
            List<byte[]> keys = data.entrySet().stream()
                    .filter(e -> e.getValue().lease() == id)
                    .map(e -> bytes(e.getKey()))
                    .toList();
            return new LeaseTimeToLiveResponse(id, leases.get(id), -1, keys, revision);
        }

        GetResponse get(byte[] key) {
            Entry e = data.get(str(key));
            return new GetResponse(revision, Optional.ofNullable(e == null ? null : kv(str(key), e)));
        }

        ScanResponse scan(TxnOp.Scan s) {
            int limit = s.limit() == 0 ? KvLimits.MAX_SCAN_LIMIT : s.limit();
            List<String> keys = data.keySet().stream()
                    .filter(k -> s.range().contains(bytes(k)))
                    .toList();
            List<KeyValue> kvs = keys.stream()
                    .limit(limit)
                    .map(k -> {
                        Entry e = data.get(k);
                        return s.keysOnly()
                                ? new KeyValue(bytes(k), new byte[0], e.create(), e.mod(), e.version(), e.lease())
                                : kv(k, e);
                    })
                    .toList();
            return new ScanResponse(revision, kvs, keys.size() > limit);
        }

        boolean leasesMissing(List<TxnOp.Put> puts) {
            return puts.stream().anyMatch(p -> p.lease() != 0 && !leases.containsKey(p.lease()));
        }

        boolean staticallyValid(Command c) {
            if (c instanceof Command.Delete d) {
                return validRange(d.op().range());
            } else if (c instanceof Command.PutAll pa) {
                return pa.puts().stream().map(p -> str(p.key())).distinct().count()
                        == pa.puts().size();
            } else if (c instanceof Command.Txn t) {
                return validBranch(t.success()) && validBranch(t.failure());
            }
            return true;
        }

        boolean validBranch(List<TxnOp> ops) {
            List<String> puts = ops.stream()
                    .filter(TxnOp.Put.class::isInstance)
                    .map(o -> str(((TxnOp.Put) o).key()))
                    .toList();
            List<KeyRange> ranges = new ArrayList<>();
            for (TxnOp op : ops) {
                if (op instanceof TxnOp.Delete d) {
                    ranges.add(d.range());
                } else if (op instanceof TxnOp.Scan s) {
                    if (!validRange(s.range())) {
                        return false;
                    }
                }
            }
            return puts.stream().distinct().count() == puts.size()
                    && ranges.stream().allMatch(this::validRange)
                    && ranges.stream().noneMatch(r -> puts.stream().anyMatch(k -> r.contains(bytes(k))));
        }

        boolean validRange(KeyRange r) {
            return r.kind() != KeyRange.Kind.RANGE
                    || r.end().length == 0
                    || Arrays.compareUnsigned(r.start(), r.end()) < 0;
        }

        static KeyValue kv(String k, Entry e) {
            return new KeyValue(bytes(k), e.value(), e.create(), e.mod(), e.version(), e.lease());
        }

        static KvException leaseNotFound() {
            return KvException.of(ErrorCode.LEASE_NOT_FOUND, "model");
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private record Collector(List<WatchEvent> sink, List<KvException> cancels) implements WatchListener {
        Collector(List<WatchEvent> sink) {
            this(sink, new ArrayList<>());
        }

        @Override
        public void onEvents(List<WatchEvent> events) {
            sink.addAll(events);
        }

        @Override
        public void onCancelled(KvException reason) {
            cancels.add(reason);
        }
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A comparable rendering: byte arrays in hex, errors by code only. */
    static String render(Object o) {
        if (o instanceof KvException e) {
            return "ERR(" + e.code().wireName() + ")";
        } else if (o instanceof LeaseTimeToLiveResponse l) {
            return "TTL(" + l.id() + "," + l.grantedTtlSeconds() + "," + l.remainingMillis() + ","
                    + l.keys().stream().map(HexFormat.of()::formatHex).toList() + "," + l.revision() + ")";
        } else if (o instanceof List<?> list) {
            return list.stream().map(KvModelProperties::render).toList().toString();
        }
        return String.valueOf(o);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
