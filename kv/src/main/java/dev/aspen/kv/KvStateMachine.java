package dev.aspen.kv;

import dev.aspen.consensus.ReplicatedStateMachine;
import dev.aspen.kv.internal.ByteReader;
import dev.aspen.kv.internal.ChronicleKeyStore;
import dev.aspen.kv.internal.CleanMarker;
import dev.aspen.kv.internal.Command;
import dev.aspen.kv.internal.CommandCodec;
import dev.aspen.kv.internal.KvState;
import dev.aspen.kv.internal.Query;
import dev.aspen.kv.internal.SnapshotCodec;
import dev.aspen.kv.internal.StateMeta;
import dev.aspen.kv.internal.Validation;
import dev.aspen.kv.internal.WatchHub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated key/value state machine: commands in {@link CommandCodec}'s format, state in
 * Chronicle Map files under the data directory, an in-heap ordered key index, leases and the
 * node-local watch registry.
 *
 * <p>{@link #apply}, {@link #query}, {@link #takeSnapshot}, {@link #installSnapshot} and {@link
 * #close} run on one thread (the Raft thread), as {@link ReplicatedStateMachine} requires; {@link
 * #watch} and the read-only getters may be called from any thread. Invalid commands return a {@link
 * KvException} value; only local storage failures throw.
 *
 * <p>Restart: {@link #close()} writes a clean-shutdown marker holding the applied index and a
 * fingerprint of every key and value; the next {@link #open} with that marker reuses the map files
 * if they still match the fingerprint and reports that index. Without the marker (a crash), or when
 * the maps no longer match it (damaged on disk), the map files are discarded and the machine starts
 * empty at applied index 0, so the group replays its snapshot and log. Both close and a reusing open
 * read every value once.
 */
public final class KvStateMachine implements ReplicatedStateMachine, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KvStateMachine.class);
    private static final String STATE_DIR = "state";
    private static final String NEW_STATE_DIR = "state.new";

    private final KvConfig config;
    private final WatchHub hub;
    private final ExecutorService ownExecutor;
    private final boolean reusedOnOpen;
    private KvState state;
    private volatile long appliedIndex;
    private boolean closed;

    private KvStateMachine(
            KvConfig config,
            ExecutorService ownExecutor,
            WatchHub hub,
            KvState state,
            long appliedIndex,
            boolean reused) {
        this.config = config;
        this.ownExecutor = ownExecutor;
        this.hub = hub;
        this.state = state;
        this.appliedIndex = appliedIndex;
        this.reusedOnOpen = reused;
    }

    /**
     * Opens the state machine in {@code config.dataDir()}, reusing the map files after a clean
     * shutdown and discarding them otherwise. Blocks while it rebuilds the key index (seconds for
     * millions of keys).
     *
     * @throws UncheckedIOException when the data directory cannot be used
     */
    public static KvStateMachine open(KvConfig config) {
        Path dir = config.dataDir();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data dir " + dir, e);
        }
        deleteUnfinishedInstalls(dir);
        Optional<CleanMarker.Clean> clean = CleanMarker.consume(dir, config.maxLeases());
        ExecutorService own = config.watchExecutor() == null ? Executors.newFixedThreadPool(2, daemonThreads()) : null;
        WatchHub.Limits limits = new WatchHub.Limits(
                config.maxWatchers(), config.watchQueueCapacity(), config.historyRevisions(), config.historyBytes());
        StateMeta meta = clean.map(CleanMarker.Clean::meta).orElse(emptyMeta());
        WatchHub hub = new WatchHub(limits, own != null ? own : config.watchExecutor(), meta.revision());
        KvState state = null;
        if (clean.isPresent() && Files.isDirectory(dir.resolve(STATE_DIR))) {
            try {
                state = reuse(config, dir.resolve(STATE_DIR), clean.get(), hub);
            } catch (RuntimeException e) {
                LOG.warn("reusing the key/value maps in {} failed; discarding them", dir, e);
            }
        }
        boolean reused = state != null;
        if (!reused) {
            LOG.info("no clean key/value state in {}: starting empty at applied index 0", dir);
            meta = emptyMeta();
            hub.reset(0);
            deleteTree(dir.resolve(STATE_DIR));
            state = newState(config, dir.resolve(STATE_DIR), meta, hub);
        }
        config.leaseListener().onReset(meta.leaseTtls());
        return new KvStateMachine(config, own, hub, state, meta.appliedIndex(), reused);
    }

    /**
     * Applies the command at {@code index}: a response record, or a {@link KvException} value for
     * an invalid command or a refused write; null when {@code index <= appliedIndex()} (ignored).
     */
    @Override
    public Object apply(long index, byte[] command) {
        checkOpen();
        if (index <= appliedIndex) {
            return null;
        }
        Object result;
        try {
            Command decoded = CommandCodec.decode(command);
            result = state.apply(decoded);
        } catch (KvException e) {
            result = e;
        }
        appliedIndex = index;
        return result;
    }

    /** Runs an encoded query: a response record or a {@link KvException} value. */
    @Override
    public Object query(byte[] query) {
        checkOpen();
        try {
            Query decoded = CommandCodec.decodeQuery(query);
            return state.query(decoded);
        } catch (KvException e) {
            return e;
        }
    }

    /**
     * Streams every key in key order plus leases, revision and applied index, in chunks of at most
     * {@code maxChunkBytes}. Costs one pass over the map (about a second per million small keys).
     */
    @Override
    public void takeSnapshot(long index, int maxChunkBytes, Consumer<byte[]> chunks) {
        checkOpen();
        if (index < appliedIndex) {
            throw new IllegalStateException("snapshot requested at " + index + " but applied index is " + appliedIndex);
        }
        // Entries after the last applied command were the group's own (new term, membership): the
        // state is the same, and now reflects index.
        appliedIndex = index;
        SnapshotCodec.write(state, appliedIndex, maxChunkBytes, chunks);
    }

    /**
     * Builds the snapshot's state in a new directory, then swaps it in; on failure the old state is
     * untouched and the exception propagates. Cancels every watcher (history is gone). Ignored when
     * {@code index <= appliedIndex()}.
     */
    @Override
    public void installSnapshot(long index, List<byte[]> chunks) {
        checkOpen();
        if (index <= appliedIndex) {
            return;
        }
        Path dir = config.dataDir();
        // A directory of its own per install: Chronicle Map caches open files by path, so reusing the
        // path the live maps were built at would hand back the live maps instead of empty ones.
        Path newDir = dir.resolve(NEW_STATE_DIR + "-" + index);
        deleteTree(newDir);
        ByteReader reader = SnapshotCodec.open(chunks);
        StateMeta meta = StateMeta.read(reader, config.maxLeases());
        if (meta.appliedIndex() != index) {
            throw KvException.of(
                    ErrorCode.INVALID_ARGUMENT,
                    "snapshot holds index " + meta.appliedIndex() + ", installed as " + index);
        }
        KvState fresh = newState(config, newDir, meta, hub);
        try {
            SnapshotCodec.readEntries(reader, fresh);
        } catch (RuntimeException e) {
            fresh.close();
            deleteTree(newDir);
            throw e;
        }
        state.close();
        deleteTree(dir.resolve(STATE_DIR));
        try {
            Files.move(newDir, dir.resolve(STATE_DIR), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot swap in the snapshot state in " + dir, e);
        }
        fresh.relocated(dir.resolve(STATE_DIR));
        state = fresh;
        appliedIndex = index;
        hub.reset(meta.revision());
        config.leaseListener().onReset(meta.leaseTtls());
    }

    @Override
    public long appliedIndex() {
        return appliedIndex;
    }

    /** The store revision (apply thread only). */
    public long revision() {
        return state.revision();
    }

    /** Every lease's TTL in seconds, by id (apply thread only); for {@link LeaseExpiry}. */
    public Map<Long, Long> leaseTtls() {
        return new TreeMap<>(state.meta(appliedIndex).leaseTtls());
    }

    /** Number of keys (apply thread only). */
    public int keyCount() {
        return state.keyCount();
    }

    /** Bytes of the map files on disk (apply thread only). */
    public long fileBytes() {
        return state.fileBytes();
    }

    /** Whether {@link #open} reused map files left by a clean shutdown. */
    public boolean reusedOnOpen() {
        return reusedOnOpen;
    }

    /**
     * Registers a node-local watch; thread-safe, does not block on apply for long. See {@link
     * KeyValueStore#watch}.
     *
     * @throws KvException {@code invalid_argument}, {@code compacted}, {@code too_large} or {@code
     *     unavailable}
     */
    public Watch watch(KeyRange range, long startRevision, boolean prevKv, WatchListener listener) {
        Validation.checkRange(range);
        if (listener == null || startRevision < 0) {
            throw KvException.of(ErrorCode.INVALID_ARGUMENT, "watch needs a listener and a start revision >= 0");
        }
        return hub.register(range, startRevision, prevKv, listener);
    }

    /** Writes the clean-shutdown marker, closes the maps and cancels every watcher. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        hub.close();
        var clean = new CleanMarker.Clean(state.meta(appliedIndex), state.fingerprint());
        state.close();
        CleanMarker.write(config.dataDir(), clean);
        if (ownExecutor != null) {
            ownExecutor.shutdown();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("key/value state machine is closed");
        }
    }

    /** Opens the maps a clean shutdown left, checking them against the marker's fingerprint. */
    private static KvState reuse(KvConfig config, Path dir, CleanMarker.Clean clean, WatchHub hub) {
        KvState state = newState(config, dir, clean.meta(), hub);
        int found;
        try {
            found = state.fingerprint();
        } catch (RuntimeException e) {
            state.close();
            throw e;
        }
        if (found != clean.fingerprint()) {
            state.close();
            throw new IllegalStateException("the key/value maps in " + dir + " were changed since their clean"
                    + " shutdown (fingerprint " + Integer.toHexString(found) + ", recorded "
                    + Integer.toHexString(clean.fingerprint()) + ")");
        }
        return state;
    }

    private static KvState newState(KvConfig config, Path dir, StateMeta meta, WatchHub hub) {
        ChronicleKeyStore.Sizing sizing = new ChronicleKeyStore.Sizing(
                config.maxKeys(), config.averageKeyBytes(), config.averageValueBytes(), config.largeValueBytes());
        KvState.Capacity capacity = new KvState.Capacity(
                config.maxKeys(),
                config.maxKeys() * (config.averageKeyBytes() + config.averageValueBytes()),
                config.largeValueBytes(),
                config.maxLeases());
        ChronicleKeyStore store = new ChronicleKeyStore(dir, sizing);
        try {
            return new KvState(store, meta, capacity, hub, config.leaseListener());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static StateMeta emptyMeta() {
        return new StateMeta(0, 0, 1, new TreeMap<>());
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "aspen-kv-watch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Removes state directories of installs a crash interrupted. */
    private static void deleteUnfinishedInstalls(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.toList()) {
                if (child.getFileName().toString().startsWith(NEW_STATE_DIR)) {
                    deleteTree(child);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
