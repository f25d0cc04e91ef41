package dev.aspen.tests.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite on real node processes: concurrent Java and HTTP clients, lease clients and
 * watchers against a cluster while the nemesis kills (the leader, a random node, every node),
 * pauses (the leader, a random node), changes membership during a crash, and — with {@code
 * aspen.chaos.partitions} — partitions the network; then the history must be linearizable per key,
 * stale reads must show only written values, no acknowledged write may be lost, leases must keep,
 * revoke and expire their keys as promised, and watchers must have been delivered every revision in
 * order.
 *
 * <p>CI runs the bounded default (3 nodes, each fault of {@link Nemesis#CI} once, at least 40 s).
 * {@code tests/chaos.sh --long DURATION} sets the system properties {@code aspen.chaos.long} (every
 * fault), {@code aspen.chaos.duration}, {@code aspen.chaos.nodes}, {@code aspen.chaos.seed} and
 * {@code aspen.chaos.partitions} (default true; the nodes run with {@code --fault-injection});
 * {@code aspen.chaos.faults} names the faults to inject instead; reports go to {@code
 * target/chaos/seed-<seed>/} (summary.txt, history.txt, and anomalies.txt when something failed).
 */
class ChaosTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @BeforeAll
    static void kwikThrowsInItsOwnThreads() {
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }

    @Test
    void everyAcknowledgedWriteSurvivesAndHistoriesStayLinearizableUnderCrashesAndPauses(@TempDir Path work)
            throws Exception {
        long seed = Long.getLong("aspen.chaos.seed", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
        var settings = new ChaosRun.Settings(
                Integer.getInteger("aspen.chaos.nodes", 3),
                duration(System.getProperty("aspen.chaos.duration", "40s")),
                seed,
                2,
                2,
                Boolean.parseBoolean(System.getProperty("aspen.chaos.partitions", "true")),
                faults(),
                Path.of("target", "chaos", "seed-" + seed).toAbsolutePath());

        ChaosRun.Summary summary = ChaosRun.run(ROOT, work, settings);

        String report = summary.text();
        long supported = settings.faults().stream()
                .filter(f -> settings.partitions() || !f.needsFaultInjection())
                .count();
        assertThat(summary.faults()).as(report).hasSizeGreaterThanOrEqualTo((int) supported);
        assertThat(summary.operations().getOrDefault("put ok", 0L))
                .as("the run acknowledged writes to check\n%s", report)
                .isPositive();
        assertThat(summary.operations().getOrDefault("read_linearizable ok", 0L))
                .as(report)
                .isPositive();
        assertThat(summary.verdict().linearizable()).as(report).isEmpty();
        assertThat(summary.verdict().stale()).as(report).isEmpty();
        assertThat(summary.verdict().lost()).as(report).isEmpty();
        assertThat(summary.leases()).as(report).isEmpty();
        assertThat(summary.watches()).as(report).isEmpty();
        assertThat(summary.operations().getOrDefault("lease revoke ok", 0L))
                .as("the run revoked leases to check\n%s", report)
                .isPositive();
        // Lease reads are checked and reported (summary.txt, anomalies.txt) but do not fail the run:
        // their promise is weaker, and a known leader-change anomaly is open (docs/reliability.md).
        assertThat(summary.verdict().inconclusive()).as(report).isEmpty();
    }

    /**
     * {@code aspen.chaos.faults} (comma-separated names, to replay a fault schedule), else every fault
     * with {@code aspen.chaos.long}, else {@link Nemesis#CI}.
     */
    private static Set<Nemesis.Fault> faults() {
        String named = System.getProperty("aspen.chaos.faults", "").trim();
        if (!named.isEmpty()) {
            var faults = EnumSet.noneOf(Nemesis.Fault.class);
            for (String name : named.split(",")) {
                faults.add(Nemesis.Fault.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT)));
            }
            return faults;
        }
        return Boolean.getBoolean("aspen.chaos.long") ? EnumSet.allOf(Nemesis.Fault.class) : Nemesis.CI;
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)([smh])");

    /** {@code 90s}, {@code 10m}, {@code 2h}. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "aspen.chaos.duration must be a number with s, m or h (e.g. 10m), got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
