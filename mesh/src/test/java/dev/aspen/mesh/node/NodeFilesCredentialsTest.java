package dev.aspen.mesh.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aspen.mesh.rpc.PeerConnector;
import dev.aspen.tickets.ClusterCredentials;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.TicketPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a node's cluster credentials come from: its cookie, its stored cluster key, or a join ticket. */
class NodeFilesCredentialsTest {
    private static final Cookie COOKIE = Cookie.of("files-test");
    private static final ClusterTicket PLAIN = ClusterTicket.of(
            COOKIE.clusterId(),
            List.of(new TicketPeer(
                    NodeId.ofBytes(new byte[NodeId.LENGTH]), List.of(new InetSocketAddress("127.0.0.1", 7000)))));
    private static final ClusterTicket JOIN = COOKIE.credentials().joinTicket(PLAIN);

    @TempDir
    Path dir;

    private final AtomicInteger fetches = new AtomicInteger();

    private ClusterCredentials fetch(ClusterTicket ticket) {
        fetches.incrementAndGet();
        return COOKIE.credentials();
    }

    private ClusterCredentials credentials(Optional<String> cookie, Optional<ClusterTicket> ticket) throws IOException {
        return NodeFiles.credentials(dir, cookie, ticket, this::fetch);
    }

    @Test
    void aJoinTicketFetchesTheKeyOnceAndARestartNeedsOnlyTheDataDir() throws Exception {
        assertThat(credentials(Optional.empty(), Optional.of(JOIN))).isEqualTo(COOKIE.credentials());
        Path keyFile = dir.resolve(NodeFiles.CLUSTER_KEY_FILE);
        assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(dir.resolve(NodeFiles.COOKIE_FILE)).doesNotExist();
        assertThat(Files.readString(keyFile)).contains(COOKIE.clusterId().toString());

        assertThat(credentials(Optional.empty(), Optional.empty())).isEqualTo(COOKIE.credentials());
        assertThat(credentials(Optional.empty(), Optional.of(JOIN))).isEqualTo(COOKIE.credentials());
        assertThat(NodeFiles.storedCredentials(dir)).contains(COOKIE.credentials());
        assertThat(fetches).hasValue(1);
    }

    @Test
    void aTicketWithoutJoinSecretAndNoCookieIsRefusedBeforeAnythingIsWritten() {
        assertThatThrownBy(() -> credentials(Optional.empty(), Optional.of(PLAIN)))
                .isInstanceOf(FormatException.class)
                .hasMessage(PeerConnector.NO_JOIN_SECRET);
        assertThat(dir).isEmptyDirectory();
        assertThat(fetches).hasValue(0);
    }

    @Test
    void aCookieWinsOverAJoinTicketAndMustMatchAStoredKey() throws Exception {
        NodeFiles.cookie(dir, Optional.of("files-test"));
        assertThat(credentials(Optional.empty(), Optional.of(JOIN))).isEqualTo(COOKIE.credentials());
        assertThat(fetches).hasValue(0);

        Path joined = Files.createDirectory(dir.resolve("joined"));
        NodeFiles.credentials(joined, Optional.empty(), Optional.of(JOIN), this::fetch);
        assertThatThrownBy(() -> NodeFiles.credentials(joined, Optional.of("another"), Optional.empty(), this::fetch))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("holds a different key, for cluster " + COOKIE.clusterId());
        assertThat(joined.resolve(NodeFiles.COOKIE_FILE)).doesNotExist();
        assertThat(NodeFiles.credentials(joined, Optional.of("files-test"), Optional.empty(), this::fetch))
                .isEqualTo(COOKIE.credentials());
    }

    @Test
    void aDamagedClusterKeyFileIsNamed() throws Exception {
        Files.writeString(dir.resolve(NodeFiles.CLUSTER_KEY_FILE), "{\"version\":1,\"cluster_id\":\"x\"}");
        assertThatThrownBy(() -> credentials(Optional.empty(), Optional.empty()))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(NodeFiles.CLUSTER_KEY_FILE)
                .hasMessageContaining("cluster_key");
    }

    @Test
    void withNothingANewRandomCookieIsMade() throws Exception {
        ClusterCredentials made = credentials(Optional.empty(), Optional.empty());
        assertThat(dir.resolve(NodeFiles.COOKIE_FILE)).exists();
        assertThat(credentials(Optional.empty(), Optional.empty())).isEqualTo(made);
        assertThat(fetches).hasValue(0);
    }
}
