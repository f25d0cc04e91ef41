package dev.aspen.mesh.metrics;

import static dev.aspen.mesh.metrics.LocalStore.sample;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.consensus.GroupMembers;
import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.consensus.RaftGroupReport.Role;
import dev.aspen.discovery.DiscoveryStats;
import dev.aspen.discovery.RejectReason;
import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.quic.AuthFailure;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.mesh.quic.QuicEndpoint;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.NodeId;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NodeMetricsTest {
    static final NodeEndpoint A = endpoint(1);
    static final NodeEndpoint B = endpoint(2);
    static final NodeEndpoint C = endpoint(3);
    static final GroupMembers MEMBERS = new GroupMembers(5, List.of(A, B, C), List.of(A, B));

    final MetricsRegistry registry = new MetricsRegistry();

    final NodeMetrics metrics = new NodeMetrics(registry);

    @BeforeAll
    static void kwikThrowsInItsOwnThreads() {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    static NodeEndpoint endpoint(int seed) {
        byte[] bytes = new byte[NodeId.LENGTH];
        Arrays.fill(bytes, (byte) seed);
        return new NodeEndpoint(NodeId.ofBytes(bytes));
    }

    static RaftGroupReport report(
            Role role, int term, NodeEndpoint leader, long commit, Map<NodeEndpoint, Long> match) {
        return new RaftGroupReport(
                "kv",
                A,
                role,
                RaftGroupReport.Status.ACTIVE,
                term,
                Optional.ofNullable(leader),
                commit,
                commit - 1,
                commit + 2,
                commit / 2,
                MEMBERS,
                match);
    }

    @Test
    void exportsNoRaftValuesBeforeTheFirstReport() {
        String text = registry.scrape();
        assertThat(text).contains("# TYPE aspen_raft_term gauge").doesNotContain("\naspen_raft_term ");
        assertThat(sample(text, "aspen_raft_leader_changes_total")).isZero();
    }

    @Test
    void showsTheLatestReport() {
        metrics.onReport(report(Role.FOLLOWER, 3, B, 100, Map.of()));

        String text = registry.scrape();
        assertThat(sample(text, "aspen_raft_term")).isEqualTo(3);
        assertThat(sample(text, "aspen_raft_commit_index")).isEqualTo(100);
        assertThat(sample(text, "aspen_raft_applied_index")).isEqualTo(99);
        assertThat(sample(text, "aspen_raft_last_log_index")).isEqualTo(102);
        assertThat(sample(text, "aspen_raft_snapshot_index")).isEqualTo(50);
        assertThat(sample(text, "aspen_raft_has_leader")).isEqualTo(1);
        assertThat(sample(text, "aspen_raft_members")).isEqualTo(3);
        assertThat(sample(text, "aspen_raft_voters")).isEqualTo(2);
        assertThat(sample(text, "aspen_raft_role{role=\"follower\"}")).isEqualTo(1);
        assertThat(sample(text, "aspen_raft_role{role=\"leader\"}")).isZero();
        assertThat(sample(text, "aspen_raft_role{role=\"candidate\"}")).isZero();
        assertThat(sample(text, "aspen_raft_role{role=\"learner\"}")).isZero();
        assertThat(text).doesNotContain("aspen_raft_replication_lag_entries{");
    }

    @Test
    void countsEachLeaderChangeOnce() {
        metrics.onReport(report(Role.FOLLOWER, 1, null, 0, Map.of())); // no leader yet
        metrics.onReport(report(Role.FOLLOWER, 1, B, 1, Map.of())); // first leader: 1
        metrics.onReport(report(Role.FOLLOWER, 1, B, 5, Map.of())); // periodic report, same leader
        metrics.onReport(report(Role.CANDIDATE, 2, null, 5, Map.of())); // election under way
        metrics.onReport(report(Role.LEADER, 2, A, 6, Map.of(B, 6L, C, 6L))); // new leader: 2
        metrics.onReport(report(Role.LEADER, 2, A, 7, Map.of(B, 7L, C, 7L)));
        metrics.onReport(report(Role.FOLLOWER, 3, A, 8, Map.of())); // same node, new term: 3

        String text = registry.scrape();
        assertThat(sample(text, "aspen_raft_leader_changes_total")).isEqualTo(3);
        assertThat(sample(text, "aspen_raft_term")).isEqualTo(3);
    }

    @Test
    void reportsReplicationLagPerPeerOnTheLeader() {
        metrics.onReport(report(Role.LEADER, 4, A, 1000, Map.of(B, 990L, C, 1002L)));

        String text = registry.scrape();
        assertThat(sample(text, "aspen_raft_replication_lag_entries{peer=\"" + B.nodeId() + "\"}"))
                .isEqualTo(10);
        assertThat(sample(text, "aspen_raft_replication_lag_entries{peer=\"" + C.nodeId() + "\"}"))
                .isZero(); // ahead of the commit index: no lag
        assertThat(sample(text, "aspen_raft_role{role=\"leader\"}")).isEqualTo(1);

        metrics.onReport(report(Role.FOLLOWER, 5, B, 1001, Map.of()));
        assertThat(registry.scrape()).doesNotContain("aspen_raft_replication_lag_entries{");
    }

    @Test
    void exportsGossipCounters() {
        DiscoveryStats stats = new DiscoveryStats(
                10, 20, 3, 4, 5, 6, Map.of("BAD_MAC", 2L), Map.of(RejectReason.STALE_INCARNATION, 7L));
        metrics.gossip(() -> 4, () -> stats);

        String text = registry.scrape();
        assertThat(sample(text, "aspen_gossip_peers")).isEqualTo(4);
        assertThat(sample(text, "aspen_gossip_records_rejected_total{reason=\"stale_incarnation\"}"))
                .isEqualTo(7);
        assertThat(sample(text, "aspen_gossip_records_rejected_total{reason=\"bad_mac\"}"))
                .isZero();
        assertThat(sample(text, "aspen_gossip_beacons_rejected_total{reason=\"bad_mac\"}"))
                .isEqualTo(2);
        assertThat(sample(text, "aspen_gossip_sent_bytes_total")).isEqualTo(10);
        assertThat(sample(text, "aspen_gossip_received_bytes_total")).isEqualTo(20);
        assertThat(sample(text, "aspen_gossip_messages_sent_total")).isEqualTo(3);
        assertThat(sample(text, "aspen_gossip_messages_received_total")).isEqualTo(4);
        assertThat(sample(text, "aspen_gossip_beacons_sent_total")).isEqualTo(5);
        assertThat(sample(text, "aspen_gossip_beacons_accepted_total")).isEqualTo(6);
    }

    @Test
    void exportsQuicCounters() throws Exception {
        try (QuicEndpoint endpoint = QuicEndpoint.start(
                QuicConfig.builder().port(0).build(),
                NodeIdentity.generate(),
                Cookie.of("metrics-test").clusterKey(),
                List.of())) {
            metrics.quic(endpoint.metrics());
            endpoint.metrics().malformedFrame();

            String text = registry.scrape();
            assertThat(sample(text, "aspen_quic_malformed_frames_total")).isEqualTo(1);
            assertThat(sample(text, "aspen_quic_connections_admitted_total")).isZero();
            assertThat(sample(text, "aspen_quic_streams_rejected_total")).isZero();
            for (AuthFailure reason : AuthFailure.values()) {
                String label = reason.name().toLowerCase(Locale.ROOT);
                assertThat(sample(text, "aspen_quic_auth_failures_total{reason=\"" + label + "\"}"))
                        .isZero();
            }
        }
    }

    @Test
    void exportsJvmAndProcessMetrics() {
        String text = registry.scrape();
        assertThat(sample(text, "jvm_memory_used_bytes{area=\"heap\"}")).isPositive();
        assertThat(sample(text, "jvm_memory_committed_bytes{area=\"nonheap\"}")).isPositive();
        assertThat(sample(text, "jvm_threads_live")).isPositive();
        assertThat(sample(text, "process_uptime_seconds")).isPositive();
        assertThat(text).contains("# TYPE jvm_gc_collections_total counter");
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertThat(sample(text, "process_resident_memory_bytes")).isGreaterThan(1 << 20);
        }
    }

    @Test
    void parsesResidentMemoryFromProcStatus() {
        assertThat(JvmMetrics.parseResidentBytes(List.of("Name:\tjava", "VmRSS:\t  123456 kB", "Threads:\t9")))
                .hasValue(123456L * 1024);
        assertThat(JvmMetrics.parseResidentBytes(List.of("Name:\tjava"))).isEmpty();
        assertThat(JvmMetrics.parseResidentBytes(List.of("VmRSS: lots"))).isEmpty();
    }
}
