package dev.aspen.consensus.store;

import static dev.aspen.consensus.codec.ModelAssertions.assertSameModel;
import static dev.aspen.consensus.store.StoreFixtures.chunk;
import static dev.aspen.consensus.store.StoreFixtures.copyDirectory;
import static dev.aspen.consensus.store.StoreFixtures.entry;
import static dev.aspen.consensus.store.StoreFixtures.files;
import static dev.aspen.consensus.store.StoreFixtures.open;
import static dev.aspen.consensus.store.StoreFixtures.truncate;
import static org.assertj.core.api.Assertions.assertThat;

import io.microraft.model.log.LogEntry;
import io.microraft.persistence.RestoredRaftState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Random sequences of appends, flushes, truncations, snapshots, clean restarts, crashes and power
 * losses, checked against an in-memory model of the log: after a power loss every entry made durable
 * (by a flush or a truncation) is restored, plus possibly a prefix of the later ones.
 */
class StoreProperties {
    private Path root;

    sealed interface Op permits Append, Flush, TruncateFrom, Snapshot, PartialSnapshot, Restart {
        /** Applies the operation to the store and to the model. */
        default void apply(DurableRaftStore store, Model model) throws IOException {
            throw new IllegalStateException(this + " is handled by the caller");
        }
    }

    record Append(int count, boolean newTerm) implements Op {
        @Override
        public void apply(DurableRaftStore store, Model model) throws IOException {
            model.term += newTerm ? 1 : 0;
            List<LogEntry> batch = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                batch.add(entry(model.lastIndex() + i, model.term));
            }
            store.persistLogEntries(batch);
            model.log.addAll(batch);
        }
    }

    record Flush() implements Op {
        @Override
        public void apply(DurableRaftStore store, Model model) throws IOException {
            store.flush();
            model.markDurable(store);
        }
    }

    record TruncateFrom(int back) implements Op {
        @Override
        public void apply(DurableRaftStore store, Model model) throws IOException {
            long from = model.lastIndex() - back;
            if (from > model.snapshotIndex && !model.live().isEmpty()) {
                store.truncateLogEntriesFrom(from);
                model.log.removeIf(e -> e.getIndex() >= from);
                model.markDurable(store); // the cut fsyncs the whole segment
            }
        }
    }

    /** A complete snapshot {@code offset} entries before (negative) or after the last one, then truncation. */
    record Snapshot(int offset, int chunks, int keep) implements Op {
        @Override
        public void apply(DurableRaftStore store, Model model) throws IOException {
            long index = model.lastIndex() + offset;
            if (index > model.snapshotIndex) {
                int term = model.log.stream()
                        .filter(e -> e.getIndex() == index)
                        .mapToInt(LogEntry::getTerm)
                        .findFirst()
                        .orElse(model.term);
                StoreFixtures.snapshot(store, index, term, chunks);
                store.truncateLogEntriesUntil(Math.max(0, index - keep));
                model.snapshotIndex = index;
                model.markDurable(store);
            }
        }
    }

    /** One chunk of a snapshot that never completes. */
    record PartialSnapshot() implements Op {
        @Override
        public void apply(DurableRaftStore store, Model model) throws IOException {
            store.persistSnapshotChunk(chunk(model.lastIndex() + 1_000, model.term, 1, 3));
        }
    }

    /**
     * A clean close and reopen, or a crash: the directory copied while open, then opened. A crash
     * with {@code powerLoss} also loses part of what was written after the last known fsync.
     */
    record Restart(boolean crash, boolean powerLoss, int cutSeed) implements Op {}

    /** What the store must hold: the log after the snapshot, the snapshot index, the current term. */
    static final class Model {
        final List<LogEntry> log = new ArrayList<>();
        long snapshotIndex;
        int term = 1;
        long durableLastIndex;
        String durableSegment;
        long durableSize;

        /** Everything persisted so far is durable: remember the last index and the segment's size. */
        void markDurable(DurableRaftStore store) throws IOException {
            durableLastIndex = lastIndex();
            List<Path> segments = files(store.directory(), ".wal");
            durableSegment = segments.isEmpty()
                    ? null
                    : segments.get(segments.size() - 1).getFileName().toString();
            durableSize = segments.isEmpty() ? 0 : Files.size(segments.get(segments.size() - 1));
        }

        /**
         * What power loss may do to a crashed copy: keep the log up to some point after the last
         * fsync the model knows of, and lose the rest (a cut segment, and the segments after it).
         */
        void losePower(Path copy, int seed) throws IOException {
            List<Path> segments = files(copy, ".wal");
            List<String> names =
                    segments.stream().map(p -> p.getFileName().toString()).toList();
            int first = durableSegment == null ? 0 : names.indexOf(durableSegment);
            if (first < 0 || segments.isEmpty()) {
                return;
            }
            long[] starts = new long[segments.size()];
            long total = 0;
            for (int i = first; i < segments.size(); i++) {
                starts[i] = i == first && durableSegment != null ? durableSize : 8;
                total += Files.size(segments.get(i)) - starts[i] + 1;
            }
            long point = Math.floorMod(seed, total);
            for (int i = first; i < segments.size(); i++) {
                long span = Files.size(segments.get(i)) - starts[i] + 1;
                if (point < span) {
                    truncate(segments.get(i), starts[i] + point);
                    for (Path later : segments.subList(i + 1, segments.size())) {
                        Files.delete(later);
                    }
                    return;
                }
                point -= span;
            }
        }

        long lastIndex() {
            return log.isEmpty()
                    ? snapshotIndex
                    : Math.max(snapshotIndex, log.get(log.size() - 1).getIndex());
        }

        List<LogEntry> live() {
            return log.stream().filter(e -> e.getIndex() > snapshotIndex).toList();
        }
    }

    @BeforeTry
    void createRoot() throws IOException {
        root = Files.createTempDirectory("store-properties");
    }

    @AfterTry
    void deleteRoot() throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Property(tries = 80)
    void restoredLogMatchesTheModel(@ForAll("operations") List<Op> ops) throws IOException {
        Model model = new Model();
        int dirs = 0;
        DurableRaftStore store = open(root.resolve("d" + dirs));
        try {
            DurableRaftStoreTest.persistIdentity(store);
            for (Op op : ops) {
                if (op instanceof Restart restart) {
                    store = restart(store, restart, model, root.resolve("d" + ++dirs));
                } else {
                    op.apply(store, model);
                }
            }
            Path crashed = copyDirectory(store.directory(), root.resolve("final"));
            try (DurableRaftStore restarted = open(crashed)) {
                assertRestored(restarted, model, model.live());
                assertThat(restarted.tailRepairs()).isEmpty();
            }
        } finally {
            store.close();
        }
    }

    private static DurableRaftStore restart(DurableRaftStore store, Restart restart, Model model, Path copy)
            throws IOException {
        if (!restart.crash()) {
            store.close();
            DurableRaftStore reopened = open(store.directory());
            assertRestored(reopened, model, model.live());
            model.markDurable(reopened);
            return reopened;
        }
        copyDirectory(store.directory(), copy);
        store.close();
        List<LogEntry> expected = model.live();
        if (restart.powerLoss()) {
            model.losePower(copy, restart.cutSeed());
            long durable = model.durableLastIndex;
            int kept =
                    (int) expected.stream().filter(e -> e.getIndex() <= durable).count();
            DurableRaftStore reopened = open(copy);
            int restored =
                    reopened.restoredState().orElseThrow().getLogEntries().size();
            assertThat(restored).isBetween(kept, expected.size());
            expected = expected.subList(0, restored);
            assertRestored(reopened, model, expected);
            model.log.clear();
            model.log.addAll(expected);
            model.markDurable(reopened);
            return reopened;
        }
        DurableRaftStore reopened = open(copy);
        assertRestored(reopened, model, expected);
        assertThat(reopened.tailRepairs()).isEmpty();
        model.markDurable(reopened);
        return reopened;
    }

    private static void assertRestored(DurableRaftStore store, Model model, List<LogEntry> expected) {
        RestoredRaftState restored = store.restoredState().orElseThrow();
        long snapshotIndex = restored.getSnapshotEntry() == null
                ? 0
                : restored.getSnapshotEntry().getIndex();
        assertThat(snapshotIndex).isEqualTo(model.snapshotIndex);
        assertSameModel(expected, restored.getLogEntries());
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Op> append = Arbitraries.integers().between(1, 40).flatMap(n -> Arbitraries.of(true, false)
                .map(t -> new Append(n, t)));
        Arbitrary<Op> truncateFrom = Arbitraries.integers().between(0, 30).map(TruncateFrom::new);
        Arbitrary<Op> snapshot = Arbitraries.integers().between(-20, 5).flatMap(offset -> Arbitraries.integers()
                .between(1, 3)
                .flatMap(chunks ->
                        Arbitraries.integers().between(0, 30).map(keep -> new Snapshot(offset, chunks, keep))));
        Arbitrary<Op> restart = Arbitraries.integers()
                .flatMap(seed -> Arbitraries.of(
                        new Restart(false, false, seed),
                        new Restart(true, false, seed),
                        new Restart(true, true, seed)));
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(8, append),
                        net.jqwik.api.Tuple.of(4, Arbitraries.just(new Flush())),
                        net.jqwik.api.Tuple.of(2, truncateFrom),
                        net.jqwik.api.Tuple.of(2, snapshot),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(new PartialSnapshot())),
                        net.jqwik.api.Tuple.of(4, restart))
                .list()
                .ofMaxSize(30);
    }
}
