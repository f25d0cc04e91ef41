package dev.aspen.consensus.store;

import static dev.aspen.consensus.codec.ModelArbitraries.FACTORY;
import static dev.aspen.consensus.codec.ModelAssertions.assertSameModel;
import static dev.aspen.consensus.store.StoreFixtures.chunk;
import static dev.aspen.consensus.store.StoreFixtures.copyDirectory;
import static dev.aspen.consensus.store.StoreFixtures.endpoint;
import static dev.aspen.consensus.store.StoreFixtures.entries;
import static dev.aspen.consensus.store.StoreFixtures.entry;
import static dev.aspen.consensus.store.StoreFixtures.files;
import static dev.aspen.consensus.store.StoreFixtures.indexes;
import static dev.aspen.consensus.store.StoreFixtures.members;
import static dev.aspen.consensus.store.StoreFixtures.open;
import static dev.aspen.consensus.store.StoreFixtures.restoredEntries;
import static dev.aspen.consensus.store.StoreFixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microraft.model.log.LogEntry;
import io.microraft.model.log.SnapshotChunk;
import io.microraft.model.persistence.RaftEndpointPersistentState;
import io.microraft.model.persistence.RaftTermPersistentState;
import io.microraft.persistence.RestoredRaftState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableRaftStoreTest {
    @TempDir
    Path tmp;

    private Path dir() {
        return tmp.resolve("store");
    }

    @Test
    void freshDirectoryRestoresNothing() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            assertThat(store.restoredState()).isEmpty();
            assertThat(store.tailRepairs()).isEmpty();
        }
    }

    @Test
    void restoresEveryPersistedPiece() throws IOException {
        RaftEndpointPersistentState local = FACTORY.createRaftEndpointPersistentStateBuilder()
                .setLocalEndpoint(endpoint(1))
                .setVoting(false)
                .build();
        RaftTermPersistentState term = FACTORY.createRaftTermPersistentStateBuilder()
                .setTerm(7)
                .setVotedFor(endpoint(2))
                .build();
        try (DurableRaftStore store = open(dir())) {
            store.persistAndFlushLocalEndpoint(local);
            store.persistAndFlushInitialGroupMembers(members(0));
            store.persistAndFlushTerm(term);
            store.persistLogEntries(entries(1, 50, 3));
            snapshot(store, 20, 3, 3);
            store.truncateLogEntriesUntil(15);
            store.persistLogEntries(entries(51, 60, 7));
            store.flush();
        }
        try (DurableRaftStore store = open(dir())) {
            RestoredRaftState restored = store.restoredState().orElseThrow();
            assertSameModel(local, restored.getLocalEndpointPersistentState());
            assertSameModel(members(0), restored.getInitialGroupMembers());
            assertSameModel(term, restored.getTermPersistentState());
            assertThat(restored.getSnapshotEntry().getIndex()).isEqualTo(20);
            assertThat(restored.getSnapshotEntry().getTerm()).isEqualTo(3);
            @SuppressWarnings("unchecked")
            List<SnapshotChunk> chunks =
                    (List<SnapshotChunk>) restored.getSnapshotEntry().getOperation();
            assertThat(chunks).hasSize(3);
            for (int i = 0; i < 3; i++) {
                assertSameModel(chunk(20, 3, i, 3), chunks.get(i));
            }
            assertSameModel(members(19), restored.getSnapshotEntry().getGroupMembersView());
            List<LogEntry> expected = Stream.concat(entries(21, 50, 3).stream(), entries(51, 60, 7).stream())
                    .toList();
            assertSameModel(expected, restored.getLogEntries());
        }
    }

    @Test
    void missingTermFileRestoresTermZeroWithoutVote() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            persistIdentity(store);
        }
        try (DurableRaftStore store = open(dir())) {
            RaftTermPersistentState term = store.restoredState().orElseThrow().getTermPersistentState();
            assertThat(term.getTerm()).isZero();
            assertThat(term.getVotedFor()).isNull();
        }
    }

    @Test
    void rollsSegmentsAndRestoresAcrossThem() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            persistIdentity(store);
            for (long i = 1; i <= 500; i += 10) {
                store.persistLogEntries(entries(i, i + 9, 1));
            }
            store.flush();
        }
        assertThat(files(dir(), ".wal")).hasSizeGreaterThan(3);
        try (DurableRaftStore store = open(dir())) {
            assertSameModel(entries(1, 500, 1), restoredEntries(store));
        }
    }

    @Test
    void truncateFromDropsTheTailDurablyAcrossSegments() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            persistIdentity(store);
            store.persistLogEntries(entries(1, 300, 1));
            store.flush();
            int segmentsBefore = files(dir(), ".wal").size();
            store.truncateLogEntriesFrom(40);
            assertThat(files(dir(), ".wal")).hasSizeLessThan(segmentsBefore);
            store.persistLogEntries(entries(40, 60, 2));
            store.flush();
        }
        try (DurableRaftStore store = open(dir())) {
            List<LogEntry> expected = Stream.concat(entries(1, 39, 1).stream(), entries(40, 60, 2).stream())
                    .toList();
            assertSameModel(expected, restoredEntries(store));
        }
    }

    @Test
    void truncateFromIsDurableWithoutFlush() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            persistIdentity(store);
            store.persistLogEntries(entries(1, 30, 1));
            store.flush();
            store.truncateLogEntriesFrom(11);
            Path crashed = copyDirectory(dir(), tmp.resolve("crashed"));
            try (DurableRaftStore copy = open(crashed)) {
                assertThat(indexes(restoredEntries(copy)))
                        .isEqualTo(LongStream.rangeClosed(1, 10).boxed().toList());
            }
        }
    }

    @Test
    void truncateUntilDeletesOldSegmentsAndRestoresTheRest() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            persistIdentity(store);
            store.persistLogEntries(entries(1, 400, 1));
            snapshot(store, 300, 1, 2);
            int segmentsBefore = files(dir(), ".wal").size();
            store.truncateLogEntriesUntil(250);
            assertThat(files(dir(), ".wal")).hasSizeLessThan(segmentsBefore);
            store.flush();
        }
        try (DurableRaftStore store = open(dir())) {
            assertThat(store.restoredState().orElseThrow().getSnapshotEntry().getIndex())
                    .isEqualTo(300);
            assertSameModel(entries(301, 400, 1), restoredEntries(store));
        }
    }

    @Test
    void truncateUntilBeyondTheSnapshotIsRejected() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            store.persistLogEntries(entries(1, 10, 1));
            assertThatThrownBy(() -> store.truncateLogEntriesUntil(5))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("only covers up to 0");
        }
    }

    @Test
    void installedSnapshotAheadOfTheLogLeavesAGapTheLogContinuesAfter() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            persistIdentity(store);
            store.persistLogEntries(entries(1, 5, 1));
            snapshot(store, 100, 2, 1);
            store.truncateLogEntriesUntil(100);
            store.persistLogEntries(entries(101, 110, 2));
            store.flush();
        }
        try (DurableRaftStore store = open(dir())) {
            assertThat(store.restoredState().orElseThrow().getSnapshotEntry().getIndex())
                    .isEqualTo(100);
            assertSameModel(entries(101, 110, 2), restoredEntries(store));
        }
    }

    @Test
    void rejectsNonContiguousIndexesWithoutWritingAnything() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            persistIdentity(store);
            store.persistLogEntries(entries(1, 5, 1));
            assertThatThrownBy(() -> store.persistLogEntries(List.of(entry(6, 1), entry(8, 1))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("log entry index 8")
                    .hasMessageContaining("expected 7");
            assertThatThrownBy(() -> store.persistLogEntries(List.of(entry(3, 1))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected 6");
            store.flush();
        }
        try (DurableRaftStore store = open(dir())) {
            assertThat(indexes(restoredEntries(store))).containsExactly(1L, 2L, 3L, 4L, 5L);
        }
    }

    @Test
    void rejectsRecordsAboveTheLimit() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            LogEntry big = FACTORY.createLogEntryBuilder()
                    .setIndex(1)
                    .setTerm(1)
                    .setOperation(new byte[3000])
                    .build();
            assertThatThrownBy(() -> store.persistLogEntries(List.of(big)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("above maxRecordBytes 2048");
        }
    }

    @Test
    void incompleteSnapshotIsNotRestored() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            persistIdentity(store);
            store.persistLogEntries(entries(1, 50, 1));
            snapshot(store, 10, 1, 2);
            store.persistSnapshotChunk(chunk(40, 1, 0, 3));
            store.persistSnapshotChunk(chunk(40, 1, 2, 3));
            store.flush();
            Path crashed = copyDirectory(dir(), tmp.resolve("crashed"));
            try (DurableRaftStore copy = open(crashed)) {
                RestoredRaftState restored = copy.restoredState().orElseThrow();
                assertThat(restored.getSnapshotEntry().getIndex()).isEqualTo(10);
                assertThat(indexes(restored.getLogEntries()).get(0)).isEqualTo(11L);
                assertThat(files(crashed, ".snap")).hasSize(1);
            }
        }
    }

    @Test
    void deletedSnapshotChunksAreNotRestored() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            persistIdentity(store);
            store.persistSnapshotChunk(chunk(40, 1, 0, 2));
            store.deleteSnapshotChunks(40, 2);
            store.persistSnapshotChunk(chunk(41, 1, 1, 2));
            store.persistSnapshotChunk(chunk(41, 1, 0, 2));
            store.flush();
        }
        try (DurableRaftStore store = open(dir())) {
            assertThat(store.restoredState().orElseThrow().getSnapshotEntry().getIndex())
                    .isEqualTo(41);
            assertThat(files(dir(), ".snap")).hasSize(1);
        }
    }

    @Test
    void batchedAppendsShareFsyncs() throws IOException {
        try (DurableRaftStore store = open(tmp.resolve("big"))) {
            for (long i = 1; i <= 2000; i++) {
                store.persistLogEntries(List.of(entry(i, 1)));
                if (i % 100 == 0) {
                    store.flush();
                }
            }
            StoreStats stats = store.stats();
            assertThat(stats.entriesAppended()).isEqualTo(2000);
            assertThat(stats.entriesPerFsync()).isGreaterThan(10);
            assertThat(stats.syncingFlushes()).isEqualTo(20);
        }
    }

    @Test
    void flushWithNothingNewDoesNotSync() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            store.persistLogEntries(entries(1, 3, 1));
            store.flush();
            long fsyncs = store.stats().fsyncs();
            store.flush();
            store.flush();
            assertThat(store.stats().fsyncs()).isEqualTo(fsyncs);
            assertThat(store.stats().flushes()).isEqualTo(3);
        }
    }

    @Test
    void processCrashKeepsEverythingFlushed() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            persistIdentity(store);
            store.persistLogEntries(entries(1, 100, 1));
            store.flush();
            store.persistLogEntries(entries(101, 120, 1));
            Path crashed = copyDirectory(dir(), tmp.resolve("crashed"));
            try (DurableRaftStore copy = open(crashed)) {
                List<LogEntry> restored = restoredEntries(copy);
                assertThat(restored.size()).isBetween(100, 120);
                assertSameModel(entries(1, restored.size(), 1), restored);
            }
        }
    }

    @Test
    void onlyEndpointPersistedRestoresAsFresh() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            store.persistAndFlushLocalEndpoint(FACTORY.createRaftEndpointPersistentStateBuilder()
                    .setLocalEndpoint(endpoint(1))
                    .setVoting(true)
                    .build());
        }
        try (DurableRaftStore store = open(dir())) {
            assertThat(store.restoredState()).isEmpty();
        }
    }

    @Test
    void logWithoutIdentityIsRefused() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            store.persistLogEntries(entries(1, 3, 1));
        }
        assertThatThrownBy(() -> open(dir()))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("no local endpoint");
    }

    @Test
    void directoryCanBeOpenedOnlyOnce() throws IOException {
        try (DurableRaftStore store = open(dir())) {
            assertThatThrownBy(() -> open(store.directory()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("already open");
        }
        try (DurableRaftStore store = open(dir())) {
            assertThat(store.restoredState()).isEmpty();
        }
    }

    @Test
    void diskErrorsPropagateAndStopTheStore() throws IOException {
        DurableRaftStore store = open(dir());
        try {
            store.persistLogEntries(entries(1, 3, 1));
            assertThat(store.failure()).isEmpty();
            try (Stream<Path> files = Files.list(dir())) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir());
            assertThatThrownBy(() -> store.persistAndFlushTerm(FACTORY.createRaftTermPersistentStateBuilder()
                            .setTerm(2)
                            .build()))
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(store::flush).isInstanceOf(IOException.class).hasMessageContaining("failed earlier");
            assertThat(store.failure()).isPresent();
        } finally {
            store.close();
        }
    }

    @Test
    void optionsNameTheBadField() {
        assertThatThrownBy(() -> StoreOptions.builder().segmentBytes(100).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("segmentBytes");
        assertThatThrownBy(() -> StoreOptions.builder()
                        .segmentBytes(4096)
                        .maxRecordBytes(8192)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRecordBytes");
        assertThat(StoreOptions.defaults().segmentBytes()).isEqualTo(64L << 20);
    }

    static void persistIdentity(DurableRaftStore store) throws IOException {
        store.persistAndFlushLocalEndpoint(FACTORY.createRaftEndpointPersistentStateBuilder()
                .setLocalEndpoint(endpoint(1))
                .setVoting(true)
                .build());
        store.persistAndFlushInitialGroupMembers(members(0));
    }
}
