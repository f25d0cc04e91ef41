package dev.aspen.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.discovery.testing.KeyFiles;
import dev.aspen.discovery.testing.Records;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import java.security.KeyPair;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Forged, replayed and genuine records offered to a directory in-process. */
class PeerDirectoryTest {
    private final ClusterKey key = Cookie.of("directory test").clusterKey();
    private final PeerDirectory directory = new PeerDirectory(key);
    private final List<PeerEvent> events = new CopyOnWriteArrayList<>();
    private final KeyPair node = KeyFiles.generate();
    private final PeerRecord record = Records.of(node, 7000, 100);

    PeerDirectoryTest() {
        directory.addListener(events::add);
    }

    private byte[] signed(PeerRecord peer, KeyPair signer, ClusterKey macKey) {
        return SignedPeerRecord.sign(peer, signer, macKey).encode();
    }

    private PeerRecord offer(String member, PeerRecord peer) {
        return directory.offer(member, peer.gossipAddress(), signed(peer, node, key));
    }

    private void assertRejected(String member, PeerRecord claimed, byte[] bytes, RejectReason reason) {
        long before = directory.rejectedCount(reason);
        int eventsBefore = events.size();
        Optional<PeerRecord> held = directory.lookup(claimed.nodeId());
        assertThatThrownBy(() -> directory.offer(member, claimed.gossipAddress(), bytes))
                .isInstanceOf(RecordRejectedException.class)
                .extracting(e -> ((RecordRejectedException) e).reason())
                .isEqualTo(reason);
        assertThat(directory.rejectedCount(reason)).isEqualTo(before + 1);
        assertThat(directory.lookup(claimed.nodeId())).isEqualTo(held);
        assertThat(events).hasSize(eventsBefore);
    }

    @Test
    void acceptsAGenuineRecordAndReportsJoined() {
        assertThat(offer("m1", record)).isEqualTo(record);
        assertThat(directory.lookup(record.nodeId())).contains(record);
        assertThat(directory.snapshot()).containsExactly(record);
        assertThat(events).containsExactly(new PeerEvent(PeerEvent.Type.JOINED, record));
        offer("m1", record);
        assertThat(events).hasSize(1);
    }

    @Test
    void rejectsASignatureByAnotherKey() {
        assertRejected("m1", record, signed(record, KeyFiles.generate(), key), RejectReason.BAD_SIGNATURE);
        assertThat(directory.size()).isZero();
    }

    @Test
    void rejectsATamperedSignature() {
        var genuine = SignedPeerRecord.sign(record, node, key);
        byte[] signature = genuine.signature();
        signature[signature.length - 1] ^= 1;
        byte[] forged = new SignedPeerRecord(genuine.record(), signature, genuine.mac()).encode();
        assertRejected("m1", record, forged, RejectReason.BAD_SIGNATURE);
    }

    @Test
    void rejectsAMacUnderAnotherCookie() {
        ClusterKey other = Cookie.of("another cluster").clusterKey();
        assertRejected("m1", record, signed(record, node, other), RejectReason.BAD_MAC);
    }

    @Test
    void rejectsAnSpkiThatDoesNotHashToTheNodeId() {
        KeyPair attacker = KeyFiles.generate();
        var claimed = new PeerRecord(
                record.nodeId(),
                attacker.getPublic().getEncoded(),
                record.quicAddress(),
                record.gossipAddress(),
                record.httpAddress(),
                record.role(),
                record.incarnation());
        assertRejected("m1", claimed, signed(claimed, attacker, key), RejectReason.SPKI_MISMATCH);
    }

    @Test
    void rejectsAReplayedOlderIncarnationEvenAfterTheNodeLeft() {
        PeerRecord newer = record.with(Role.VOTER, 200);
        offer("m1", newer);
        assertRejected("m2", record, signed(record, node, key), RejectReason.STALE_INCARNATION);
        directory.remove("m1");
        assertThat(events).extracting(PeerEvent::type).containsExactly(PeerEvent.Type.JOINED, PeerEvent.Type.LEFT);
        assertRejected("m3", record, signed(record, node, key), RejectReason.STALE_INCARNATION);
        assertThat(directory.lookup(record.nodeId())).isEmpty();
    }

    @Test
    void rejectsDifferentContentAtTheSameIncarnation() {
        offer("m1", record);
        PeerRecord sameIncarnation = record.with(Role.LEARNER, record.incarnation());
        assertRejected("m1", sameIncarnation, signed(sameIncarnation, node, key), RejectReason.CONFLICTING_INCARNATION);
    }

    @Test
    void rejectsARecordCarriedByAMemberAtAnotherAddress() {
        byte[] genuine = signed(record, node, key);
        long before = directory.rejectedCount(RejectReason.ADDRESS_MISMATCH);
        assertThatThrownBy(() -> directory.offer("impostor", Records.loopback(7999), genuine))
                .isInstanceOf(RecordRejectedException.class);
        assertThat(directory.rejectedCount(RejectReason.ADDRESS_MISMATCH)).isEqualTo(before + 1);
        assertThat(directory.size()).isZero();
    }

    @Test
    void rejectsMalformedAndMissingMetadata() {
        assertRejected("m1", record, new byte[0], RejectReason.MALFORMED);
        byte[] bytes = signed(record, node, key);
        bytes[0] = 9;
        assertRejected("m1", record, bytes, RejectReason.MALFORMED);
    }

    @Test
    void aRestartReplacesTheRecordAndTheOldMembersRemovalIsIgnored() {
        offer("old", record);
        PeerRecord restarted = record.with(Role.VOTER, 500);
        offer("new", restarted);
        directory.remove("old");
        assertThat(directory.lookup(record.nodeId())).contains(restarted);
        assertThat(events)
                .containsExactly(
                        new PeerEvent(PeerEvent.Type.JOINED, record), new PeerEvent(PeerEvent.Type.UPDATED, restarted));
    }

    @Test
    void suspectThenLeftAreReportedOnce() {
        offer("m1", record);
        directory.suspect("m1");
        directory.suspect("m1");
        assertThat(directory.isSuspect(record.nodeId())).isTrue();
        directory.remove("m1");
        directory.remove("m1");
        assertThat(events)
                .extracting(PeerEvent::type)
                .containsExactly(PeerEvent.Type.JOINED, PeerEvent.Type.SUSPECT, PeerEvent.Type.LEFT);
        assertThat(directory.lookup(record.nodeId())).isEmpty();
    }

    @Test
    void aFailingListenerDoesNotStopOthers() {
        directory.addListener(event -> {
            throw new IllegalStateException("boom");
        });
        List<PeerEvent> later = new CopyOnWriteArrayList<>();
        directory.addListener(later::add);
        offer("m1", record);
        assertThat(later).hasSize(1);
    }

    @Test
    void snapshotIsImmutableAndOrderedByNodeId() {
        offer("m1", record);
        KeyPair second = KeyFiles.generate();
        PeerRecord other = Records.of(second, 7001, 1);
        directory.offer("m2", other.gossipAddress(), signed(other, second, key));
        List<PeerRecord> snapshot = directory.snapshot();
        assertThat(snapshot).extracting(PeerRecord::nodeId).isSorted().hasSize(2);
        assertThatThrownBy(() -> snapshot.add(record)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(NodeId.of(second.getPublic()))
                .isIn(snapshot.stream().map(PeerRecord::nodeId).toList());
    }
}
