package dev.aspen.mesh.metrics;

import dev.aspen.consensus.NodeEndpoint;
import dev.aspen.consensus.RaftGroupReport;
import dev.aspen.discovery.DiscoveryStats;
import dev.aspen.discovery.RejectReason;
import dev.aspen.mesh.quic.AuthFailure;
import dev.aspen.mesh.quic.EndpointMetrics;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Registers a node's metrics (see {@code docs/metrics.md}): Raft state from the reports passed to
 * {@link #onReport}, and the JVM and process, at construction; QUIC, gossip and disk when their
 * sources are given with {@link #quic}, {@link #gossip} and {@link #disk} (each at most once).
 * Values are read when {@link MetricsRegistry#scrape()} runs. Thread-safe.
 */
public final class NodeMetrics {
    private final MetricsRegistry registry;
    private final Counter leaderChanges;
    private volatile RaftGroupReport last;
    // The last leadership counted by onReport (guarded by this).
    private NodeEndpoint countedLeader;
    private int countedTerm;

    /** Registers the Raft, JVM and process metrics in {@code registry}. */
    public NodeMetrics(MetricsRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.leaderChanges = registry.counter(
                "aspen_raft_leader_changes_total",
                "Leaders seen by this node: each new (leader, term) reported counts once, the first included.");
        registerRaft();
        JvmMetrics.register(registry);
    }

    /**
     * Takes a Raft report (give this to {@code RaftGroup.Builder.reportListener}); the Raft metrics
     * show the latest one. Must not block and does not: it only updates fields.
     */
    public synchronized void onReport(RaftGroupReport report) {
        Objects.requireNonNull(report, "report");
        report.leader().ifPresent(leader -> {
            if (!leader.equals(countedLeader) || report.term() != countedTerm) {
                countedLeader = leader;
                countedTerm = report.term();
                leaderChanges.inc();
            }
        });
        last = report;
    }

    private void registerRaft() {
        raftGauge("aspen_raft_term", "Current Raft term.", RaftGroupReport::term);
        raftGauge("aspen_raft_commit_index", "Highest log index known committed.", RaftGroupReport::commitIndex);
        raftGauge("aspen_raft_applied_index", "Highest log index applied to the store.", RaftGroupReport::appliedIndex);
        raftGauge("aspen_raft_last_log_index", "Index of the last log entry.", RaftGroupReport::lastLogIndex);
        raftGauge(
                "aspen_raft_snapshot_index", "Index of the latest snapshot (0: none).", RaftGroupReport::snapshotIndex);
        raftGauge(
                "aspen_raft_has_leader",
                "1 when this node knows a leader, else 0.",
                r -> r.leader().isPresent() ? 1 : 0);
        raftGauge("aspen_raft_members", "Committed members, voters and learners.", r -> r.committedMembers()
                .members()
                .size());
        raftGauge("aspen_raft_voters", "Committed voting members.", r -> r.committedMembers()
                .votingMembers()
                .size());
        registry.gauge(
                "aspen_raft_role", "1 for this node's current Raft role, 0 for the others.", List.of("role"), sink -> {
                    RaftGroupReport report = last;
                    if (report != null) {
                        for (RaftGroupReport.Role role : RaftGroupReport.Role.values()) {
                            sink.add(role == report.role() ? 1 : 0, lowerCase(role));
                        }
                    }
                });
        registry.gauge(
                "aspen_raft_replication_lag_entries",
                "On the leader: commit index minus each follower's match index (never below 0).",
                List.of("peer"),
                sink -> {
                    RaftGroupReport report = last;
                    if (report != null) {
                        for (Map.Entry<NodeEndpoint, Long> match :
                                report.followerMatchIndex().entrySet()) {
                            long lag = Math.max(0, report.commitIndex() - match.getValue());
                            sink.add(lag, match.getKey().nodeId().toString());
                        }
                    }
                });
    }

    private void raftGauge(String name, String help, ToDoubleFunction<RaftGroupReport> value) {
        registry.gauge(name, help, List.of(), sink -> {
            RaftGroupReport report = last;
            if (report != null) {
                sink.add(value.applyAsDouble(report));
            }
        });
    }

    /** Registers the QUIC endpoint's counters. */
    public NodeMetrics quic(EndpointMetrics endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        registry.counterFrom(
                "aspen_quic_connections_admitted_total",
                "QUIC connections that passed the admission handshake.",
                List.of(),
                sink -> sink.add(endpoint.admittedConnections()));
        registry.counterFrom(
                "aspen_quic_auth_failures_total",
                "Dialers refused by the admission handshake, by reason.",
                List.of("reason"),
                sink -> {
                    for (AuthFailure reason : AuthFailure.values()) {
                        sink.add(endpoint.authFailures(reason), lowerCase(reason));
                    }
                });
        registry.counterFrom(
                "aspen_quic_streams_rejected_total",
                "QUIC streams reset because every handler thread was busy.",
                List.of(),
                sink -> sink.add(endpoint.streamsRejected()));
        registry.counterFrom(
                "aspen_quic_malformed_frames_total",
                "QUIC streams closed because their bytes were not valid frames.",
                List.of(),
                sink -> sink.add(endpoint.malformedFrames()));
        return this;
    }

    /**
     * Registers the gossip metrics: {@code peers} is the number of other live members in the
     * verified peer directory ({@code PeerDirectory::size}), {@code stats} the discovery counters
     * ({@code Discovery::stats}); both are called at every scrape and must not block.
     */
    public NodeMetrics gossip(IntSupplier peers, Supplier<DiscoveryStats> stats) {
        Objects.requireNonNull(peers, "peers");
        Objects.requireNonNull(stats, "stats");
        registry.gauge(
                "aspen_gossip_peers", "Other live members in the verified peer directory.", () -> peers.getAsInt());
        registry.counterFrom(
                "aspen_gossip_records_rejected_total",
                "Gossiped peer records dropped, by reason.",
                List.of("reason"),
                sink -> {
                    Map<RejectReason, Long> rejected = stats.get().recordsRejected();
                    for (RejectReason reason : RejectReason.values()) {
                        sink.add(rejected.getOrDefault(reason, 0L), lowerCase(reason));
                    }
                });
        registry.counterFrom(
                "aspen_gossip_beacons_rejected_total",
                "LAN beacon packets dropped, by reason.",
                List.of("reason"),
                sink -> stats.get()
                        .beaconsRejected()
                        .forEach((reason, count) -> sink.add(count, reason.toLowerCase(Locale.ROOT))));
        gossipCounter(
                "aspen_gossip_messages_sent_total", "SWIM messages sent.", stats, DiscoveryStats::gossipMessagesSent);
        gossipCounter(
                "aspen_gossip_messages_received_total",
                "SWIM messages received.",
                stats,
                DiscoveryStats::gossipMessagesReceived);
        gossipCounter(
                "aspen_gossip_sent_bytes_total",
                "Bytes of SWIM messages sent.",
                stats,
                DiscoveryStats::gossipBytesSent);
        gossipCounter(
                "aspen_gossip_received_bytes_total",
                "Bytes of SWIM messages received.",
                stats,
                DiscoveryStats::gossipBytesReceived);
        gossipCounter(
                "aspen_gossip_beacons_sent_total", "LAN beacon packets sent.", stats, DiscoveryStats::beaconsSent);
        gossipCounter(
                "aspen_gossip_beacons_accepted_total",
                "Verified LAN beacons from other nodes of this cluster.",
                stats,
                DiscoveryStats::beaconsAccepted);
        return this;
    }

    private void gossipCounter(
            String name, String help, Supplier<DiscoveryStats> stats, ToLongFunction<DiscoveryStats> value) {
        registry.counterFrom(name, help, List.of(), sink -> sink.add(value.applyAsLong(stats.get())));
    }

    /** Registers the data dir's disk usage and the writes {@code guard} refused. */
    public NodeMetrics disk(DiskGuard guard) {
        Objects.requireNonNull(guard, "guard");
        registry.gauge(
                "aspen_disk_total_bytes",
                "Size of the file system holding the data dir.",
                List.of(),
                sink -> guard.usage().ifPresent(u -> sink.add(u.totalBytes())));
        registry.gauge(
                "aspen_disk_used_bytes",
                "Bytes of the data dir's file system allocated to files (total minus free), as df counts them.",
                List.of(),
                sink -> guard.usage().ifPresent(u -> sink.add(u.usedBytes())));
        registry.gauge(
                "aspen_disk_used_ratio",
                "Used fraction (0-1) of the data dir's file system: used / (used + usable), df's Use%.",
                List.of(),
                sink -> guard.usage().ifPresent(u -> sink.add(u.usedPercent() / 100)));
        registry.gauge(
                "aspen_disk_write_limit_ratio",
                "Used fraction above which writes are refused with unavailable.",
                () -> guard.limitPercent() / 100.0);
        registry.counterFrom(
                "aspen_disk_writes_refused_total",
                "Writes refused because the disk was too full.",
                List.of(),
                sink -> sink.add(guard.refusedWrites()));
        return this;
    }

    private static String lowerCase(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
