package dev.aspen.mesh.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.SocketAddresses;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeConfigBuilderTest {
    private static final Path DIR = Path.of("some-dir");

    @Test
    void unsetSettingsGetTheDefaultsOfTheLoader() {
        NodeConfig built = NodeConfig.builder(DIR).build();

        assertThat(built).isEqualTo(NodeConfigLoader.load(Map.of(Setting.DATA_DIR, "some-dir"), Map.of()));
    }

    @Test
    void everySetterReachesItsField() throws Exception {
        var ticket = NodeConfigLoaderTest.ticketFor("builder-cookie");
        var peer = SocketAddresses.parse("127.0.0.1:7001");
        InetAddress other = InetAddress.getByName("127.0.0.2");

        NodeConfig config = NodeConfig.builder(DIR)
                .cookie("builder-cookie")
                .ticket(ticket)
                .peers(List.of(peer, SocketAddresses.parse("[::1]:7002")))
                .bind(other)
                .quicPort(7100)
                .gossipPort(7101)
                .httpPort(0)
                .bootstrapExpect(3)
                .voters(5)
                .lan(false)
                .httpBind(InetAddress.getByName("0.0.0.0"))
                .httpToken("a-token-of-sixteen-chars")
                .timing(NodeConfig.Timing.WAN)
                .heartbeatPeriod(Duration.ofSeconds(2))
                .electionTimeout(Duration.ofSeconds(5))
                .deadVoterGrace(Duration.ofMillis(1500))
                .diskFullPercent(80)
                .faultInjection(true)
                .build();

        assertThat(config.cookie()).contains("builder-cookie");
        assertThat(config.ticket()).contains(ticket);
        assertThat(config.peers()).containsExactly(peer, SocketAddresses.parse("[::1]:7002"));
        assertThat(config.bind()).isEqualTo(other);
        assertThat(config.quicPort()).hasValue(7100);
        assertThat(config.gossipPort()).hasValue(7101);
        assertThat(config.httpPort()).hasValue(0);
        assertThat(config.bootstrapExpect()).isEqualTo(3);
        assertThat(config.voters()).isEqualTo(5);
        assertThat(config.lan()).isFalse();
        assertThat(config.httpBind().isAnyLocalAddress()).isTrue();
        assertThat(config.httpToken()).isEqualTo(Optional.of("a-token-of-sixteen-chars"));
        assertThat(config.timing()).isEqualTo(NodeConfig.Timing.WAN);
        assertThat(config.heartbeatPeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.electionTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.deadVoterGrace()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.diskFullPercent()).isEqualTo(80);
        assertThat(config.faultInjection()).isTrue();
    }

    @Test
    void rejectsABadValueNamingItsFlag() {
        assertThatThrownBy(() -> NodeConfig.builder(DIR).voters(4).build())
                .isInstanceOf(FormatException.class)
                .hasMessage("--voters 4 (flag): must be odd (1, 3, 5 or 7)");
        assertThatThrownBy(() -> NodeConfig.builder(DIR)
                        .heartbeatPeriod(Duration.ofMillis(500))
                        .build())
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith("--heartbeat-period 500ms (flag): must be a whole number of seconds");
    }

    @Test
    void appliesTheLoadersCrossChecks() {
        assertThatThrownBy(() -> NodeConfig.builder(DIR)
                        .cookie("one-cookie")
                        .ticket(NodeConfigLoaderTest.ticketFor("another-cookie"))
                        .build())
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("--ticket");
    }
}
