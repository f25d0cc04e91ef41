package dev.aspen.mesh.config;

import dev.aspen.tickets.ClusterTicket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything {@code aspen node} runs with, validated. Each setting has a flag ({@code --data-dir}),
 * an environment variable ({@code ASPEN_DATA_DIR}) and a key in the TOML file given by {@code
 * --config} ({@code data_dir}); precedence: defaults &lt; file &lt; environment &lt; flags. {@link
 * NodeConfigLoader#load} builds and validates one from those layers; {@link Setting} lists them.
 *
 * @param dataDir {@code --data-dir}: identity, log, state, cookie (default {@code aspen-data})
 * @param cookie {@code --cookie}: the cluster secret; absent = the one stored in the data dir, else
 *     the cluster key stored there by an earlier join-ticket join, else (with a join ticket) the
 *     cluster key fetched with the ticket's join secret, else a new random one
 * @param ticket {@code --ticket}: join the cluster it names (its addresses are gossip seeds); a join
 *     ticket ({@code aspen cluster ticket --join}) needs no cookie
 * @param peers {@code --peers host:port,...}: gossip addresses to join through
 * @param bind {@code --bind}: the address QUIC and gossip serve on and advertise (default
 *     127.0.0.1; never a wildcard)
 * @param quicPort {@code --quic-port}: UDP port; absent = the previous run's, else a free one; 0 =
 *     a free one
 * @param gossipPort {@code --gossip-port}: TCP port; absent = the previous run's, else the QUIC port
 *     number when free; 0 = a free one
 * @param httpPort {@code --http-port}: absent = the previous run's, else a free one; 0 = a free one
 * @param bootstrapExpect {@code --bootstrap-expect N}: on a first start, form a new group once N
 *     nodes with this cookie (this one included) are discovered and no existing cluster is found;
 *     0 = never form, only join. Default: 1 when no ticket and no peers are given, else 0
 * @param voters {@code --voters}: the voter count autopilot aims for (odd, default 3)
 * @param lan {@code --lan/--no-lan}: the LAN beacon (multicast on the bind address's interface)
 * @param httpBind {@code --http-bind}: the HTTP API's address (default 127.0.0.1)
 * @param httpToken {@code --http-token}: bearer token the HTTP API requires; required when {@code
 *     httpBind} is not a loopback address
 * @param timing {@code --timing lan|wan}: gossip failure-detection profile
 * @param heartbeatPeriod {@code --heartbeat-period}: Raft leader heartbeat (whole seconds, default 1s)
 * @param electionTimeout {@code --election-timeout}: Raft follower timeout (whole seconds, &gt;
 *     heartbeat period, default 2s)
 * @param deadVoterGrace {@code --dead-voter-grace}: how long a voter must be dead before autopilot
 *     replaces it (default 30s)
 * @param diskFullPercent {@code --disk-full-percent}: writes are refused with {@code unavailable}
 *     when the data dir's file system is fuller than this (default 95)
 * @param faultInjection {@code --fault-injection}: for tests only, give the node a QUIC fault
 *     switch ({@code /v1/debug/faults}, {@code AspenNode.linkFaults()}); default off
 */
public record NodeConfig(
        Path dataDir,
        Optional<String> cookie,
        Optional<ClusterTicket> ticket,
        List<InetSocketAddress> peers,
        InetAddress bind,
        OptionalInt quicPort,
        OptionalInt gossipPort,
        OptionalInt httpPort,
        int bootstrapExpect,
        int voters,
        boolean lan,
        InetAddress httpBind,
        Optional<String> httpToken,
        Timing timing,
        Duration heartbeatPeriod,
        Duration electionTimeout,
        Duration deadVoterGrace,
        int diskFullPercent,
        boolean faultInjection) {
    /**
     * A builder for a node embedded in a Java program: the settings {@code aspen node} takes, with
     * the same defaults and validation, starting from the data directory.
     */
    public static NodeConfigBuilder builder(Path dataDir) {
        return new NodeConfigBuilder(dataDir);
    }

    /** Gossip failure-detection profiles. */
    public enum Timing {
        LAN,
        WAN
    }

    public NodeConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(cookie, "cookie");
        Objects.requireNonNull(ticket, "ticket");
        peers = List.copyOf(peers);
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(quicPort, "quicPort");
        Objects.requireNonNull(gossipPort, "gossipPort");
        Objects.requireNonNull(httpPort, "httpPort");
        Objects.requireNonNull(httpBind, "httpBind");
        Objects.requireNonNull(httpToken, "httpToken");
        Objects.requireNonNull(timing, "timing");
        Objects.requireNonNull(heartbeatPeriod, "heartbeatPeriod");
        Objects.requireNonNull(electionTimeout, "electionTimeout");
        Objects.requireNonNull(deadVoterGrace, "deadVoterGrace");
    }
}
