package dev.aspen.consensus.store;

import static dev.aspen.consensus.codec.ModelAssertions.assertSameModel;
import static dev.aspen.consensus.store.DurableRaftStoreTest.persistIdentity;
import static dev.aspen.consensus.store.StoreFixtures.copyDirectory;
import static dev.aspen.consensus.store.StoreFixtures.entries;
import static dev.aspen.consensus.store.StoreFixtures.entry;
import static dev.aspen.consensus.store.StoreFixtures.files;
import static dev.aspen.consensus.store.StoreFixtures.flipBit;
import static dev.aspen.consensus.store.StoreFixtures.lastSegment;
import static dev.aspen.consensus.store.StoreFixtures.open;
import static dev.aspen.consensus.store.StoreFixtures.restoredEntries;
import static dev.aspen.consensus.store.StoreFixtures.snapshot;
import static dev.aspen.consensus.store.StoreFixtures.truncate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restart after damage: torn tails are cut, anything else stops the open with a clear error. */
class StoreRecoveryTest {
    private static final int ENTRIES = 10;

    @TempDir
    Path tmp;

    private Path original;
    /** offsets[i] = where entry i + 1 starts in the single segment; offsets[ENTRIES] = file end. */
    private final long[] offsets = new long[ENTRIES + 1];

    @BeforeEach
    void writeTenEntries() throws IOException {
        original = tmp.resolve("original");
        try (DurableRaftStore store = open(original)) {
            persistIdentity(store);
            offsets[0] = 8;
            for (int i = 1; i <= ENTRIES; i++) {
                store.persistLogEntries(List.of(entry(i, 1)));
                store.flush();
                offsets[i] = Files.size(lastSegment(original));
            }
        }
        assertThat(files(original, ".wal")).hasSize(1);
    }

    private Path damagedCopy(String name) throws IOException {
        return copyDirectory(original, tmp.resolve(name));
    }

    @Test
    void tornTailAtEveryOffsetOfTheLastRecordIsCut() throws IOException {
        long start = offsets[ENTRIES - 1];
        for (long cut = start; cut < offsets[ENTRIES]; cut++) {
            Path dir = damagedCopy("cut-" + cut);
            Path segment = lastSegment(dir);
            truncate(segment, cut);
            try (DurableRaftStore store = open(dir)) {
                assertSameModel(entries(1, ENTRIES - 1, 1), restoredEntries(store));
                assertThat(Files.size(segment)).isEqualTo(start);
                if (cut == start) {
                    assertThat(store.tailRepairs()).isEmpty();
                } else {
                    long cutBytes = cut - start;
                    assertThat(store.tailRepairs()).singleElement().satisfies(repair -> {
                        assertThat(repair.file()).isEqualTo(segment);
                        assertThat(repair.offset()).isEqualTo(start);
                        assertThat(repair.bytesCut()).isEqualTo(cutBytes);
                    });
                }
            }
        }
    }

    @Test
    void logContinuesAfterACutTail() throws IOException {
        Path dir = damagedCopy("continued");
        truncate(lastSegment(dir), offsets[ENTRIES] - 3);
        try (DurableRaftStore store = open(dir)) {
            store.persistLogEntries(List.of(entry(ENTRIES, 2), entry(ENTRIES + 1, 2)));
            store.flush();
        }
        try (DurableRaftStore store = open(dir)) {
            List<?> restored = restoredEntries(store);
            assertThat(restored).hasSize(ENTRIES + 1);
            assertSameModel(entry(ENTRIES, 2), restored.get(ENTRIES - 1));
            assertThat(store.tailRepairs()).isEmpty();
        }
    }

    @Test
    void flippedBitAnywhereInTheWholeLastRecordStopsTheOpen() throws IOException {
        for (long offset = offsets[ENTRIES - 1]; offset < offsets[ENTRIES]; offset++) {
            Path dir = damagedCopy("flip-" + offset);
            flipBit(lastSegment(dir), offset, (int) (offset % 8));
            assertThatThrownBy(() -> open(dir))
                    .as("bit flipped at offset %d", offset)
                    .isInstanceOf(CorruptStoreException.class)
                    .hasMessageContaining(lastSegment(dir) + " at offset " + offsets[ENTRIES - 1])
                    .hasMessageContaining("damaged after it was written");
            assertThat(Files.size(lastSegment(dir))).isEqualTo(offsets[ENTRIES]);
        }
    }

    @Test
    void lastRecordWhoseEndIsZeroedIsATornWriteAndIsCut() throws IOException {
        Path dir = damagedCopy("zeroed-end");
        Path segment = lastSegment(dir);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            // the record's part of its last 512-byte sector never reached the disk
            long start = Math.max(offsets[ENTRIES - 1], (offsets[ENTRIES] - 1) / 512 * 512);
            channel.write(ByteBuffer.allocate((int) (offsets[ENTRIES] - start)), start);
        }
        try (DurableRaftStore store = open(dir)) {
            assertSameModel(entries(1, ENTRIES - 1, 1), restoredEntries(store));
            assertThat(store.tailRepairs()).singleElement().satisfies(repair -> assertThat(repair.offset())
                    .isEqualTo(offsets[ENTRIES - 1]));
        }
    }

    @Test
    void zeroFilledTailIsCut() throws IOException {
        Path dir = damagedCopy("zeros");
        Files.write(lastSegment(dir), new byte[4096], StandardOpenOption.APPEND);
        try (DurableRaftStore store = open(dir)) {
            assertSameModel(entries(1, ENTRIES, 1), restoredEntries(store));
            assertThat(store.tailRepairs()).singleElement().satisfies(repair -> assertThat(repair.bytesCut())
                    .isEqualTo(4096));
        }
    }

    @Test
    void flippedBitInAMiddleRecordStopsTheOpen() throws IOException {
        Path dir = damagedCopy("middle");
        long bad = offsets[4];
        flipBit(lastSegment(dir), bad + 12, 3);
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining(lastSegment(dir).toString())
                .hasMessageContaining("at offset " + bad)
                .hasMessageContaining("CRC mismatch")
                .hasMessageContaining("valid record follows at offset " + offsets[5]);
        assertThat(Files.size(lastSegment(dir))).isEqualTo(offsets[ENTRIES]);
    }

    @Test
    void corruptLengthInAMiddleRecordStopsTheOpen() throws IOException {
        Path dir = damagedCopy("middle-length");
        long bad = offsets[3];
        flipBit(lastSegment(dir), bad, 6); // the length's high byte: far past the end of the file
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("at offset " + bad)
                .hasMessageContaining("valid record follows at offset " + offsets[4]);
    }

    @Test
    void damageInASealedSegmentStopsTheOpen() throws IOException {
        Path dir = tmp.resolve("sealed");
        try (DurableRaftStore store = open(dir)) {
            persistIdentity(store);
            store.persistLogEntries(entries(1, 300, 1));
            store.flush();
        }
        Path first = files(dir, ".wal").get(0);
        truncate(first, Files.size(first) - 1);
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining(first.toString())
                .hasMessageContaining("cannot have a torn tail");
    }

    @Test
    void unknownFormatVersionNamesTheFileAndBothVersions() throws IOException {
        Path dir = tmp.resolve("versions");
        try (DurableRaftStore store = open(dir)) {
            persistIdentity(store);
            store.persistLogEntries(entries(1, 5, 1));
            snapshot(store, 3, 1, 1);
        }
        for (Path file : List.of(lastSegment(dir), files(dir, ".snap").get(0), dir.resolve("members.meta"))) {
            Path copy = copyDirectory(dir, tmp.resolve("v-" + file.getFileName()));
            Path damaged = copy.resolve(file.getFileName());
            try (FileChannel channel = FileChannel.open(damaged, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.allocate(2).putShort((short) 9).flip(), 4);
            }
            assertThatThrownBy(() -> open(copy))
                    .isInstanceOf(CorruptStoreException.class)
                    .hasMessageContaining(damaged.toString())
                    .hasMessageContaining("format version 9")
                    .hasMessageContaining("reads version 1");
        }
    }

    @Test
    void wrongMagicIsRefused() throws IOException {
        Path dir = damagedCopy("magic");
        flipBit(lastSegment(dir), 0, 1);
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("not a log segment");
    }

    @Test
    void damagedMetadataIsRefused() throws IOException {
        Path dir = damagedCopy("meta");
        Path members = dir.resolve("members.meta");
        flipBit(members, Files.size(members) - 1, 0);
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining(members.toString())
                .hasMessageContaining("CRC mismatch");
    }

    @Test
    void missingEntriesAfterTheSnapshotAreRefused() throws IOException {
        Path dir = damagedCopy("gap");
        Files.move(lastSegment(dir), dir.resolve(Segment.fileName(3)));
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("log index 1 where 3 was expected");
    }

    @Test
    void tornSnapshotFileTailIsCutAndTheSnapshotStillRestores() throws IOException {
        Path dir = tmp.resolve("snap");
        try (DurableRaftStore store = open(dir)) {
            persistIdentity(store);
            store.persistLogEntries(entries(1, 5, 1));
            snapshot(store, 4, 1, 2);
            store.persistSnapshotChunk(StoreFixtures.chunk(5, 1, 0, 2));
            store.flush();
        }
        Path newest = files(dir, ".snap").get(1);
        truncate(newest, Files.size(newest) - 5);
        try (DurableRaftStore store = open(dir)) {
            assertThat(store.restoredState().orElseThrow().getSnapshotEntry().getIndex())
                    .isEqualTo(4);
            assertThat(store.tailRepairs()).singleElement().satisfies(r -> assertThat(r.file())
                    .isEqualTo(newest));
        }
        assertThat(files(dir, ".snap")).hasSize(1);
    }

    @Test
    void aDamagedSnapshotTheLogNeedsIsNamedAndKept() throws IOException {
        Path dir = tmp.resolve("needed-snap");
        try (DurableRaftStore store = open(dir)) {
            persistIdentity(store);
            store.persistLogEntries(entries(1, 400, 1));
            snapshot(store, 300, 1, 1);
            store.truncateLogEntriesUntil(250);
            store.flush();
        }
        Path snapshot = files(dir, ".snap").get(0);
        truncate(snapshot, Files.size(snapshot) / 2);
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("entries are missing")
                .hasMessageContaining(snapshot + "=an incomplete snapshot at index 300 (0 of 0 chunks)");
        assertThat(snapshot).exists();
    }
}
