package dev.aspen.consensus.store;

import static dev.aspen.consensus.codec.ModelAssertions.assertSameModel;
import static dev.aspen.consensus.store.StoreFixtures.chunk;
import static dev.aspen.consensus.store.StoreFixtures.copyDirectory;
import static dev.aspen.consensus.store.StoreFixtures.entry;
import static dev.aspen.consensus.store.StoreFixtures.open;
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
 * Random sequences of appends, flushes, truncations, snapshots, clean restarts and crashes, checked
 * against an in-memory model of the log after a final crash and restart.
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
        }
    }

    record TruncateFrom(int back) implements Op {
        @Override
        public void apply(DurableRaftStore store, Model model) throws IOException {
            long from = model.lastIndex() - back;
            if (from > model.snapshotIndex && !model.live().isEmpty()) {
                store.truncateLogEntriesFrom(from);
                model.log.removeIf(e -> e.getIndex() >= from);
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

    /** A clean close and reopen, or a crash: the directory copied while open, then opened. */
    record Restart(boolean crash) implements Op {}

    /** What the store must hold: the log after the snapshot, the snapshot index, the current term. */
    static final class Model {
        final List<LogEntry> log = new ArrayList<>();
        long snapshotIndex;
        int term = 1;

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

    @Property(tries = 60)
    void restoredLogMatchesTheModel(@ForAll("operations") List<Op> ops) throws IOException {
        Model model = new Model();
        int dirs = 0;
        DurableRaftStore store = open(root.resolve("d" + dirs));
        try {
            DurableRaftStoreTest.persistIdentity(store);
            for (Op op : ops) {
                if (op instanceof Restart restart) {
                    Path next = restart.crash()
                            ? copyDirectory(store.directory(), root.resolve("d" + ++dirs))
                            : store.directory();
                    store.close();
                    store = open(next);
                    assertRestored(store, model);
                } else {
                    op.apply(store, model);
                }
            }
            Path crashed = copyDirectory(store.directory(), root.resolve("final"));
            try (DurableRaftStore restarted = open(crashed)) {
                assertRestored(restarted, model);
            }
        } finally {
            store.close();
        }
    }

    private static void assertRestored(DurableRaftStore store, Model model) {
        RestoredRaftState restored = store.restoredState().orElseThrow();
        long snapshotIndex = restored.getSnapshotEntry() == null
                ? 0
                : restored.getSnapshotEntry().getIndex();
        assertThat(snapshotIndex).isEqualTo(model.snapshotIndex);
        assertSameModel(model.live(), restored.getLogEntries());
        assertThat(store.tailRepairs()).isEmpty();
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
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(8, append),
                        net.jqwik.api.Tuple.of(4, Arbitraries.just(new Flush())),
                        net.jqwik.api.Tuple.of(2, truncateFrom),
                        net.jqwik.api.Tuple.of(2, snapshot),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(new PartialSnapshot())),
                        net.jqwik.api.Tuple.of(2, Arbitraries.of(new Restart(false), new Restart(true))))
                .list()
                .ofMaxSize(30);
    }
}
