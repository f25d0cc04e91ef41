package dev.aspen.mesh.cli;

import dev.aspen.mesh.cluster.ClusterStatus;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.SocketAddresses;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The human form of a {@link ClusterStatus}: a summary, an aligned member table, the autopilot. */
final class StatusTable {
    private static final String[] HEADER = {"", "NODE", "ROLE", "HEALTH", "QUIC", "HTTP", "MATCH", "LAG"};

    private StatusTable() {}

    static String render(ClusterStatus status) {
        var lines = new ArrayList<String>();
        lines.add("cluster " + status.clusterId() + ", as seen by " + status.self() + " (" + status.selfRole() + ")");
        lines.add("leader " + status.leader().map(NodeId::toString).orElse("unknown") + ", term " + status.term()
                + ", commit " + status.commitIndex() + ", applied " + status.appliedIndex());
        lines.add("");
        var rows = new ArrayList<String[]>();
        rows.add(HEADER);
        for (ClusterStatus.Member m : status.members()) {
            boolean leader = status.leader().filter(m.nodeId()::equals).isPresent();
            rows.add(new String[] {
                leader ? "*" : "",
                m.nodeId().toString(),
                m.voter() ? "voter" : "learner",
                m.health().name().toLowerCase(Locale.ROOT)
                        + m.deadSince().map(since -> " since " + since).orElse(""),
                m.quicAddress().map(SocketAddresses::format).orElse("-"),
                m.httpAddress().map(SocketAddresses::format).orElse("-"),
                orDash(m.matchIndex()),
                orDash(m.lag())
            });
        }
        lines.addAll(align(rows));
        lines.add("(* leader)");
        ClusterStatus.Autopilot autopilot = status.autopilot();
        lines.add("");
        lines.add("autopilot " + (autopilot.active() ? "active" : "inactive (runs on the leader)") + ", target "
                + autopilot.targetVoters() + " voters, dead voter grace "
                + autopilot.deadVoterGrace().toSeconds() + "s");
        for (ClusterStatus.Decision d : autopilot.decisions()) {
            lines.add("  " + d.at() + "  " + d.action() + " " + d.node() + ": " + d.reason() + " -> " + d.outcome());
        }
        return String.join("\n", lines);
    }

    private static String orDash(Optional<Long> value) {
        return value.map(String::valueOf).orElse("-");
    }

    /** Pads every column to its widest cell; the last column is not padded. */
    private static List<String> align(List<String[]> rows) {
        int columns = HEADER.length;
        int[] widths = new int[columns];
        java.util.Arrays.fill(widths, 1); // %-0s is no format: an all-empty column (no leader known) gets width 1
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        var out = new ArrayList<String>();
        for (String[] row : rows) {
            var line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(c == columns - 1 ? row[c] : String.format("%-" + widths[c] + "s  ", row[c]));
            }
            out.add(line.toString().stripTrailing());
        }
        return out;
    }
}
