package dev.aspen.discovery;

import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.NodeId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verified view of the cluster: NodeId → the newest verified {@link PeerRecord} of every other
 * live member. Nothing enters it without passing {@link SignedPeerRecord#verify}, the address check
 * and the incarnation check; every rejection is counted by {@link RejectReason}.
 *
 * <p>Thread-safe. Reads never block on the network. {@link Discovery} feeds it from SWIM; the
 * {@code offer}/{@code suspect}/{@code remove} methods are public so other membership sources (and
 * tests) can drive it the same way.
 */
public final class PeerDirectory {
    /** Most NodeIds held at once; records for further NodeIds are rejected as {@link RejectReason#DIRECTORY_FULL}. */
    public static final int MAX_PEERS = 1024;
    /** How many NodeIds' newest incarnations are remembered after they left (oldest forgotten first). */
    public static final int MAX_REMEMBERED_INCARNATIONS = 4096;

    private static final Logger log = LoggerFactory.getLogger(PeerDirectory.class);

    private record Entry(PeerRecord record, String memberId, boolean suspect) {}

    private final ClusterKey clusterKey;
    private final Map<NodeId, Entry> current = new HashMap<>();
    private final Map<String, NodeId> byMember = new HashMap<>();
    private final Map<NodeId, Long> newestIncarnation = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, Long> eldest) {
            return size() > MAX_REMEMBERED_INCARNATIONS;
        }
    };
    private final Map<RejectReason, AtomicLong> rejected = new EnumMap<>(RejectReason.class);
    private final List<PeerListener> listeners = new CopyOnWriteArrayList<>();

    /** An empty directory accepting records MACed with {@code clusterKey}. */
    public PeerDirectory(ClusterKey clusterKey) {
        this.clusterKey = Objects.requireNonNull(clusterKey, "clusterKey");
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, new AtomicLong());
        }
    }

    /** The current verified record of {@code nodeId}, if it is a live member. */
    public synchronized Optional<PeerRecord> lookup(NodeId nodeId) {
        return Optional.ofNullable(current.get(nodeId)).map(Entry::record);
    }

    /** Whether {@code nodeId} is present and announced it is leaving. */
    public synchronized boolean isSuspect(NodeId nodeId) {
        Entry entry = current.get(nodeId);
        return entry != null && entry.suspect();
    }

    /** An immutable copy of all current records, ordered by NodeId (for the HTTP API). */
    public synchronized List<PeerRecord> snapshot() {
        return current.values().stream()
                .map(Entry::record)
                .sorted(Comparator.comparing(PeerRecord::nodeId))
                .toList();
    }

    /** Number of current peers. */
    public synchronized int size() {
        return current.size();
    }

    /** Registers {@code listener} for every later change. */
    public void addListener(PeerListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Unregisters {@code listener}; no-op if it was not registered. */
    public void removeListener(PeerListener listener) {
        listeners.remove(listener);
    }

    /** How many records were rejected for {@code reason} since creation. */
    public long rejectedCount(RejectReason reason) {
        return rejected.get(reason).get();
    }

    /** A copy of all rejection counters. */
    public Map<RejectReason, Long> rejectedCounts() {
        var out = new EnumMap<RejectReason, Long>(RejectReason.class);
        rejected.forEach((reason, count) -> out.put(reason, count.get()));
        return out;
    }

    /**
     * Verifies a signed record carried by SWIM member {@code memberId} at {@code memberAddress} and,
     * if it passes, makes it the NodeId's current record, firing {@link PeerEvent.Type#JOINED} or
     * {@link PeerEvent.Type#UPDATED} (nothing if it is the record already held). Listeners run on
     * the calling thread after the directory is updated.
     *
     * @return the accepted record
     * @throws RecordRejectedException if any check fails; the reason's counter was incremented and
     *     the directory is unchanged
     */
    public PeerRecord offer(String memberId, InetSocketAddress memberAddress, byte[] signedRecord) {
        PeerEvent event;
        PeerRecord peer;
        try {
            peer = SignedPeerRecord.decode(signedRecord).verify(clusterKey);
            if (!peer.gossipAddress().equals(memberAddress)) {
                throw new RecordRejectedException(
                        RejectReason.ADDRESS_MISMATCH,
                        "record of " + peer.nodeId() + " names gossip address " + peer.gossipAddress()
                                + " but arrived from member at " + memberAddress);
            }
            event = apply(memberId, peer);
        } catch (RecordRejectedException e) {
            rejected.get(e.reason()).incrementAndGet();
            log.debug("dropped peer record from member {} at {}: {}", memberId, memberAddress, e.getMessage());
            throw e;
        }
        if (event != null) {
            fire(event);
        }
        return peer;
    }

    private synchronized PeerEvent apply(String memberId, PeerRecord peer) {
        NodeId nodeId = peer.nodeId();
        Entry old = current.get(nodeId);
        long newest = Math.max(
                newestIncarnation.getOrDefault(nodeId, Long.MIN_VALUE),
                old == null ? Long.MIN_VALUE : old.record().incarnation());
        if (peer.incarnation() < newest) {
            throw new RecordRejectedException(
                    RejectReason.STALE_INCARNATION,
                    "record of " + nodeId + " has incarnation " + peer.incarnation() + ", already saw " + newest);
        }
        if (old != null
                && old.record().incarnation() == peer.incarnation()
                && !old.record().equals(peer)) {
            throw new RecordRejectedException(
                    RejectReason.CONFLICTING_INCARNATION,
                    "record of " + nodeId + " differs from the accepted one at the same incarnation "
                            + peer.incarnation());
        }
        if (old == null && current.size() >= MAX_PEERS) {
            throw new RecordRejectedException(
                    RejectReason.DIRECTORY_FULL, "directory is full (" + MAX_PEERS + " peers); dropped " + nodeId);
        }
        newestIncarnation.put(nodeId, peer.incarnation());
        if (old != null && !old.memberId().equals(memberId)) {
            byMember.remove(old.memberId());
        }
        byMember.put(memberId, nodeId);
        current.put(nodeId, new Entry(peer, memberId, false));
        if (old == null) {
            return new PeerEvent(PeerEvent.Type.JOINED, peer);
        }
        boolean changed =
                !old.record().equals(peer) || old.suspect() || !old.memberId().equals(memberId);
        return changed ? new PeerEvent(PeerEvent.Type.UPDATED, peer) : null;
    }

    /**
     * Marks the NodeId carried by {@code memberId} as leaving and fires {@link PeerEvent.Type#SUSPECT}.
     * No-op for an unknown member or one already marked.
     */
    public void suspect(String memberId) {
        PeerEvent event = null;
        synchronized (this) {
            NodeId nodeId = byMember.get(memberId);
            Entry entry = nodeId == null ? null : current.get(nodeId);
            if (entry != null && !entry.suspect()) {
                current.put(nodeId, new Entry(entry.record(), memberId, true));
                event = new PeerEvent(PeerEvent.Type.SUSPECT, entry.record());
            }
        }
        if (event != null) {
            fire(event);
        }
    }

    /**
     * Removes the NodeId carried by {@code memberId} and fires {@link PeerEvent.Type#LEFT}. No-op if
     * the member is unknown or its NodeId has since been taken over by a newer member (a restart).
     * The NodeId's newest incarnation stays remembered, so a replay of its old record is rejected.
     */
    public void remove(String memberId) {
        PeerEvent event = null;
        synchronized (this) {
            NodeId nodeId = byMember.remove(memberId);
            Entry entry = nodeId == null ? null : current.get(nodeId);
            if (entry != null && entry.memberId().equals(memberId)) {
                current.remove(nodeId);
                event = new PeerEvent(PeerEvent.Type.LEFT, entry.record());
            }
        }
        if (event != null) {
            fire(event);
        }
    }

    /** Removes every peer without firing events (used when discovery stops). */
    synchronized void clear() {
        current.clear();
        byMember.clear();
    }

    private void fire(PeerEvent event) {
        for (PeerListener listener : new ArrayList<>(listeners)) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("peer listener {} failed on {}", listener, event, e);
            }
        }
    }
}
