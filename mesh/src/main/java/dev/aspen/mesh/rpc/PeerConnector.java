package dev.aspen.mesh.rpc;

import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.mesh.quic.AuthFailure;
import dev.aspen.mesh.quic.AuthenticationException;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.mesh.quic.QuicEndpoint;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.Cookie;
import dev.aspen.tickets.FormatException;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.TicketPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link RpcClient} to one of several pinned peers for one ALPN, as every client of a cluster
 * needs it: dials the peers in turn until one admits this dialer, keeps that connection, and dials
 * the next one once it is lost or dropped with {@link #moveOn}.
 *
 * <p>It owns a dial-only QUIC endpoint with a throw-away identity (clients serve nothing and bind
 * no port) and one daemon timer thread for the RPC watchdog. Thread-safe. {@link #close()} closes
 * the connection and releases both.
 */
public final class PeerConnector implements AutoCloseable {
    /** The error for a ticket without a join secret where no cookie is given either. */
    public static final String NO_JOIN_SECRET =
            "this ticket has no join secret: pass --cookie or get a join ticket with `aspen cluster ticket --join`";

    private final List<TicketPeer> peers;
    private final String alpn;
    private final RpcClient.Settings settings;
    private final QuicEndpoint endpoint;
    private final ScheduledExecutorService timers;
    private final AtomicInteger next = new AtomicInteger();
    private volatile RpcClient current;
    private volatile boolean closed;

    private PeerConnector(
            List<TicketPeer> peers, ClusterKey clusterKey, String alpn, RpcClient.Settings settings, QuicConfig dialer)
            throws IOException {
        this.peers = List.copyOf(peers);
        this.alpn = alpn;
        this.settings = settings;
        this.endpoint = QuicEndpoint.start(dialer, NodeIdentity.generate(), clusterKey, List.of());
        this.timers = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "aspen-client-timer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Connects to the first of {@code peers} that can be reached and admits this dialer for {@code
     * alpn}, proving membership with {@code clusterKey}. Blocks while dialing.
     *
     * @throws IllegalArgumentException if {@code peers} is empty
     * @throws IOException naming every peer and address tried, when none admits this dialer
     */
    public static PeerConnector open(
            List<TicketPeer> peers, ClusterKey clusterKey, String alpn, RpcClient.Settings settings)
            throws IOException {
        return open(peers, clusterKey, alpn, settings, QuicConfig.builder().build());
    }

    /**
     * As {@link #open(List, ClusterKey, String, RpcClient.Settings)}, dialing with the timeouts and
     * {@link QuicConfig#linkFaults() link faults} of {@code dialer} (its bind address and port are
     * not used: a dial-only endpoint binds nothing).
     */
    public static PeerConnector open(
            List<TicketPeer> peers, ClusterKey clusterKey, String alpn, RpcClient.Settings settings, QuicConfig dialer)
            throws IOException {
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("at least one peer is needed");
        }
        var connector = new PeerConnector(peers, clusterKey, alpn, settings, dialer);
        try {
            connector.connection();
            return connector;
        } catch (IOException | RuntimeException e) {
            connector.close();
            throw e;
        }
    }

    /**
     * The cluster key of {@code cookie}, checked against the cluster {@code ticket} names.
     *
     * @throws FormatException if the cookie is invalid or belongs to another cluster
     */
    public static ClusterKey clusterKey(ClusterTicket ticket, String cookie) {
        Cookie validated = Cookie.of(cookie);
        if (!validated.clusterId().equals(ticket.clusterId())) {
            throw new FormatException("the cookie belongs to cluster " + validated.clusterId()
                    + ", but the ticket is for cluster " + ticket.clusterId());
        }
        return validated.clusterKey();
    }

    /**
     * The key a client proves itself with for {@code ticket}: the cookie's cluster key when a cookie
     * is given, else the join key of the ticket's join secret (a join ticket admits clients too).
     *
     * @throws FormatException if the cookie is invalid or of another cluster, or there is no cookie
     *     and the ticket has no join secret
     */
    public static ClusterKey clientKey(ClusterTicket ticket, Optional<String> cookie) {
        if (cookie.isPresent()) {
            return clusterKey(ticket, cookie.get());
        }
        return ClusterKey.ofJoinSecret(ticket.joinSecret().orElseThrow(() -> new FormatException(NO_JOIN_SECRET)));
    }

    /**
     * The current connection, or a new one to the next peer that can be reached when there is none
     * or it was lost. Blocks while dialing.
     *
     * @throws AuthenticationException when every node refused this dialer for the same reason
     * @throws IOException naming every peer and address tried, or if this connector is closed
     */
    public RpcClient connection() throws IOException {
        RpcClient rpc = current;
        if (rpc != null && rpc.isConnected()) {
            return rpc;
        }
        synchronized (this) {
            if (current != null && current.isConnected()) {
                return current;
            }
            if (closed) {
                throw new IOException("client is closed");
            }
            var failures = new ArrayList<String>();
            var refusals = EnumSet.noneOf(AuthFailure.class);
            int attempts = 0;
            int refused = 0;
            for (int i = 0; i < peers.size(); i++) {
                TicketPeer peer = peers.get(Math.floorMod(next.getAndIncrement(), peers.size()));
                for (InetSocketAddress address : peer.addresses()) {
                    attempts++;
                    try {
                        current = new RpcClient(endpoint.connect(peer.nodeId(), address, alpn), settings, timers);
                        return current;
                    } catch (IOException e) {
                        if (e instanceof AuthenticationException refusal) {
                            refusals.add(refusal.reason());
                            refused++;
                        }
                        failures.add(peer.nodeId() + " at " + address + ": " + e.getMessage());
                    }
                }
            }
            String message = "no Aspen node could be reached: " + String.join("; ", failures);
            if (refused == attempts && refusals.size() == 1) {
                // Every node gave the same refusal: say which, so callers can name its cause.
                throw new AuthenticationException(refusals.iterator().next(), message);
            }
            throw new IOException(message);
        }
    }

    /**
     * Drops {@code failed} if it is still the current connection, so the next {@link #connection()}
     * dials again; that dial starts with the peer whose NodeId text is {@code preferred}, when it is
     * one of the peers.
     */
    public synchronized void moveOn(RpcClient failed, Optional<String> preferred) {
        if (current == failed && failed != null) {
            failed.close();
            current = null;
        }
        preferred.ifPresent(id -> {
            for (int i = 0; i < peers.size(); i++) {
                if (peers.get(i).nodeId().toString().equals(id)) {
                    next.set(i);
                }
            }
        });
    }

    /**
     * Moves to the peer whose NodeId text is {@code leader} for the calls to come, if it is one of
     * the peers: when {@code from} is still the current connection, the next {@link #connection()}
     * dials {@code leader} first, and {@code from} closes once its outstanding calls and watches
     * have ended (they are not cut off).
     *
     * @return false when {@code leader} is not one of the peers, or is {@code from}'s own node
     */
    public synchronized boolean follow(RpcClient from, String leader) {
        int index = -1;
        for (int i = 0; i < peers.size(); i++) {
            if (peers.get(i).nodeId().toString().equals(leader)) {
                index = i;
            }
        }
        if (index < 0 || from.peer().toString().equals(leader)) {
            return false;
        }
        if (current == from) {
            current = null;
            next.set(index);
            from.closeWhenIdle();
        }
        return true;
    }

    /** The node connected to now, if any. */
    public Optional<NodeId> currentNode() {
        RpcClient rpc = current;
        return rpc == null ? Optional.empty() : Optional.of(rpc.peer());
    }

    /** Closes the connection (failing its outstanding calls), the endpoint and the timer. Idempotent. */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            if (current != null) {
                current.close();
                current = null;
            }
        }
        endpoint.close();
        timers.shutdownNow();
    }
}
