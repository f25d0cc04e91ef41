package dev.aspen.mesh.quic;

import dev.aspen.mesh.identity.NodeIdentity;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.NodeId;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.log.NullLogger;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ServerConnector;

/**
 * A node's single QUIC endpoint: one UDP port serving every {@link Protocol} by ALPN, and the
 * dialer for outgoing connections.
 *
 * <p>Both directions are authenticated against pinned identities. Dialing pins the server: the
 * TLS handshake succeeds only if the server's certificate key hashes to the expected {@link
 * NodeId}. Accepting authenticates the dialer with the {@link Admission} handshake on the first
 * stream (signature by its node key, MAC by the cluster key, or by the join key derived from it on
 * a protocol that {@linkplain Protocol#acceptsJoinKey() accepts it}); a dialer that fails it, or is
 * not admitted by the protocol, is refused with an {@link AuthFailure} code, counted and logged
 * once. A dialer proves itself with the key it was started with: the cluster key, or the join key
 * of a join ticket.
 *
 * <p>With {@link QuicConfig#linkFaults()} every datagram of a blocked link is dropped, on the
 * server socket and on the socket of every dialed connection (see {@link LinkFaults} for what that
 * cuts); without it the endpoint uses plain sockets.
 *
 * <p>Thread-safe. {@link #close()} stops accepting and closes every connection it accepted.
 */
public final class QuicEndpoint implements AutoCloseable {
    static final long STREAM_RESET_CODE = 0x1;
    private static final Logger log = LoggerFactory.getLogger(QuicEndpoint.class);
    private static final char[] KEYSTORE_PASSWORD = "aspen".toCharArray();
    private static final long DENIED_CLOSE_DELAY_MILLIS = 100;
    private static final int BIND_ATTEMPTS = 30;
    private static final long BIND_RETRY_MILLIS = 100;

    private final QuicConfig config;
    private final NodeIdentity identity;
    private final ClusterKey clusterKey;
    private final List<ClusterKey> clusterOrJoinKey;
    private final ServerConnector server;
    private final DatagramSocket socket;
    private final ThreadPoolExecutor handlers;
    private final ScheduledExecutorService timers;
    private final EndpointMetrics metrics = new EndpointMetrics();
    private final SecureRandom random = new SecureRandom();

    private QuicEndpoint(QuicConfig config, NodeIdentity identity, ClusterKey clusterKey, List<Protocol> protocols)
            throws IOException {
        this.config = config;
        this.identity = identity;
        this.clusterKey = clusterKey;
        this.clusterOrJoinKey = List.of(clusterKey, clusterKey.joinKey());
        this.handlers = new ThreadPoolExecutor(
                0,
                config.maxHandlerThreads(),
                30,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                daemonThreads(
                        "aspen-quic-stream-" + identity.nodeId().toString().substring(0, 6)));
        this.timers = Executors.newSingleThreadScheduledExecutor(
                daemonThreads("aspen-quic-timer-" + identity.nodeId().toString().substring(0, 6)));
        if (protocols.isEmpty()) {
            // Dial-only (clients): no server, so no UDP port and none of Kwik's server threads, one of
            // which is not a daemon and outlives close().
            this.socket = null;
            this.server = null;
            return;
        }
        this.socket = bind(
                new InetSocketAddress(config.bind(), config.port()),
                config.linkFaults().orElse(null));
        try {
            this.server = ServerConnector.builder()
                    .withSocket(socket)
                    .withKeyStore(keyStore(identity), "node", KEYSTORE_PASSWORD, "secp256r1")
                    .withConfiguration(serverConfig(config))
                    .withLogger(new NullLogger())
                    .build();
        } catch (GeneralSecurityException | RuntimeException e) {
            socket.close();
            shutdownExecutors();
            throw new IOException("cannot start the QUIC server: " + e.getMessage(), e);
        }
        for (Protocol protocol : protocols) {
            server.registerApplicationProtocol(
                    protocol.alpn(), (alpn, connection) -> new ServerSession(protocol, connection));
        }
        server.start();
    }

    /**
     * Binds the UDP port and starts serving {@code protocols}. With no protocols the endpoint only
     * dials: it binds no port and starts no server.
     *
     * @throws IOException if the port cannot be bound or the server cannot start
     */
    public static QuicEndpoint start(
            QuicConfig config, NodeIdentity identity, ClusterKey clusterKey, List<Protocol> protocols)
            throws IOException {
        return new QuicEndpoint(config, identity, clusterKey, protocols);
    }

    /**
     * The bound address; its port is the chosen one when the config asked for 0.
     *
     * @throws IllegalStateException for a dial-only endpoint, which binds nothing
     */
    public InetSocketAddress localAddress() {
        if (socket == null) {
            throw new IllegalStateException("a dial-only endpoint (no protocols) has no local address");
        }
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public NodeId nodeId() {
        return identity.nodeId();
    }

    public EndpointMetrics metrics() {
        return metrics;
    }

    QuicConfig config() {
        return config;
    }

    /**
     * Dials {@code peer} at {@code address} for {@code alpn}, pins its certificate and proves this
     * node's identity. Blocks up to the connect plus handshake timeouts.
     *
     * @throws PinMismatchException if the server is not {@code peer}
     * @throws AuthenticationException if the server refused this node, with its reason
     * @throws IOException if the peer cannot be reached in time
     */
    public PeerConnection connect(NodeId peer, InetSocketAddress address, String alpn) throws IOException {
        var trust = new PinningTrustManager(peer);
        QuicClientConnection.Builder builder = QuicClientConnection.newBuilder()
                .host(peer.toString())
                .proxy(address.getAddress().getHostAddress())
                .port(address.getPort())
                .applicationProtocol(alpn)
                .customTrustManager(trust)
                .connectTimeout(config.connectTimeout())
                .maxIdleTimeout(config.idleTimeout())
                .defaultStreamReceiveBufferSize(config.streamBufferBytes())
                .maxOpenPeerInitiatedBidirectionalStreams(0)
                .maxOpenPeerInitiatedUnidirectionalStreams(0)
                .logger(new NullLogger());
        config.linkFaults()
                .ifPresent(faults -> builder.socketFactory(
                        serverAddress -> new FaultyDatagramSocket(new InetSocketAddress(0), faults)));
        QuicClientConnection connection = builder.build();
        try {
            connection.connect();
        } catch (IOException e) {
            connection.close();
            if (trust.mismatch() != null) {
                throw new PinMismatchException(peer, trust.mismatch(), address);
            }
            throw new IOException("cannot connect to node " + peer + " at " + address + ": " + e.getMessage(), e);
        }
        try {
            runClientHandshake(connection, peer, alpn);
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return new PeerConnection(peer, connection);
    }

    private void runClientHandshake(QuicClientConnection connection, NodeId peer, String alpn) throws IOException {
        // Whichever ends first, the handshake or the timer, owns the outcome: a timer that fires
        // as the WELCOME arrives must not close a connection this method is about to return.
        var settled = new AtomicBoolean();
        Runnable giveUp = () -> {
            if (settled.compareAndSet(false, true)) {
                connection.close();
            }
        };
        var timeout = timers.schedule(giveUp, config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            QuicStream stream = connection.createStream(true);
            Frames.write(stream.getOutputStream(), Admission.hello());
            var challenge = Admission.parseChallenge(Frames.read(stream.getInputStream(), Admission.MAX_MESSAGE_BYTES));
            if (!challenge.server().equals(peer)) {
                throw new AuthenticationException(
                        AuthFailure.MALFORMED, "server challenge names node " + challenge.server() + ", not " + peer);
            }
            Frames.write(stream.getOutputStream(), Admission.proof(identity, clusterKey, alpn, challenge));
            Admission.expectWelcome(Frames.read(stream.getInputStream(), Admission.MAX_MESSAGE_BYTES * 2));
            stream.getOutputStream().close();
        } catch (AuthenticationException e) {
            throw e;
        } catch (IOException e) {
            if (!settled.compareAndSet(false, true)) {
                throw handshakeTimedOut(peer, e);
            }
            if (!connection.isConnected()) {
                throw new IOException(
                        "admission handshake with node " + peer + " failed: the connection closed (" + e.getMessage()
                                + ")",
                        e);
            }
            throw e;
        } finally {
            timeout.cancel(false);
        }
        if (!settled.compareAndSet(false, true)) {
            throw handshakeTimedOut(peer, null);
        }
    }

    private IOException handshakeTimedOut(NodeId peer, IOException cause) {
        return new IOException(
                "admission handshake with node " + peer + " did not finish within " + config.handshakeTimeout(), cause);
    }

    /** Server side of one accepted connection: admission first, then protocol streams. */
    private final class ServerSession implements ApplicationProtocolConnection {
        private final Protocol protocol;
        private final QuicConnection connection;
        private final AtomicInteger state = new AtomicInteger(NEW);
        private volatile NodeId peer;

        private static final int NEW = 0;
        private static final int HANDSHAKING = 1;
        private static final int ADMITTED = 2;
        private static final int REFUSED = 3;

        ServerSession(Protocol protocol, QuicConnection connection) {
            this.protocol = protocol;
            this.connection = connection;
            timers.schedule(
                    () -> {
                        if (state.get() < ADMITTED) {
                            refuse(null, AuthFailure.TIMEOUT, "no admission within " + config.handshakeTimeout());
                        }
                    },
                    config.handshakeTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        @Override
        public void acceptPeerInitiatedStream(QuicStream stream) {
            int current = state.get();
            if (current == NEW && state.compareAndSet(NEW, HANDSHAKING)) {
                dispatch(stream, () -> handshake(stream));
            } else if (current == ADMITTED) {
                dispatch(stream, () -> serve(stream));
            } else if (current == HANDSHAKING) {
                refuse(null, AuthFailure.EARLY_STREAM, "a stream was opened before admission finished");
            } else {
                stream.resetStream(STREAM_RESET_CODE);
            }
        }

        private void dispatch(QuicStream stream, Runnable task) {
            try {
                handlers.execute(task);
            } catch (RejectedExecutionException e) {
                metrics.streamRejected();
                stream.resetStream(STREAM_RESET_CODE);
            }
        }

        private void handshake(QuicStream stream) {
            try {
                Admission.expectHello(Frames.read(stream.getInputStream(), Admission.MAX_MESSAGE_BYTES));
                byte[] nonce = new byte[Admission.NONCE_BYTES];
                random.nextBytes(nonce);
                Frames.write(stream.getOutputStream(), Admission.challenge(nonce, identity.nodeId()));
                var proof = Admission.parseProof(Frames.read(stream.getInputStream(), Admission.MAX_MESSAGE_BYTES));
                List<ClusterKey> keys = protocol.acceptsJoinKey() ? clusterOrJoinKey : List.of(clusterKey);
                AuthFailure failure = Admission.verify(proof, nonce, identity.nodeId(), protocol.alpn(), keys);
                NodeId dialer = proof.dialer();
                if (failure == null && !protocol.admits().test(dialer)) {
                    failure = AuthFailure.UNKNOWN_PEER;
                }
                if (failure != null) {
                    refuse(stream, failure, "node " + dialer + " failed admission: " + failure);
                    return;
                }
                peer = dialer;
                // Admit before answering: the dialer opens protocol streams as soon as it reads WELCOME.
                if (!state.compareAndSet(HANDSHAKING, ADMITTED)) {
                    return;
                }
                metrics.admitted();
                Frames.write(stream.getOutputStream(), Admission.welcome());
                stream.getOutputStream().close();
            } catch (IOException | RuntimeException e) {
                refuse(stream, AuthFailure.MALFORMED, "bad admission handshake: " + e.getMessage());
            }
        }

        private void serve(QuicStream stream) {
            try {
                protocol.handler().onStream(peer, stream);
            } catch (FrameException e) {
                metrics.malformedFrame();
                log.debug("closing a {} stream from {}: {}", protocol.alpn(), peer, e.getMessage());
                stream.resetStream(STREAM_RESET_CODE);
            } catch (Exception e) {
                log.debug("{} stream from {} failed: {}", protocol.alpn(), peer, e.toString());
                stream.resetStream(STREAM_RESET_CODE);
            }
        }

        private void refuse(QuicStream stream, AuthFailure reason, String message) {
            // A timeout never undoes an admission that won the race against it; other refusals
            // (a broken handshake stream) end the connection whatever state it reached.
            int previous;
            do {
                previous = state.get();
                if (previous == REFUSED || previous == ADMITTED && reason == AuthFailure.TIMEOUT) {
                    return;
                }
            } while (!state.compareAndSet(previous, REFUSED));
            metrics.authFailed(reason);
            log.warn("refused a {} connection: {}", protocol.alpn(), message);
            if (stream != null) {
                try {
                    Frames.write(stream.getOutputStream(), Admission.denied(reason, message));
                } catch (IOException e) {
                    log.debug("could not tell the dialer why it was refused: {}", e.getMessage());
                }
            }
            timers.schedule(
                    () -> connection.close(reason.code(), reason.name()),
                    DENIED_CLOSE_DELAY_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Binds the UDP socket. A fixed port that is still held, typically by this process's previous
     * endpoint whose receiver thread has not yet let go of the closed socket, is retried briefly.
     * With {@code faults} (null: none) the socket drops the datagrams of blocked links.
     */
    private static DatagramSocket bind(InetSocketAddress address, LinkFaults faults) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return faults == null ? new DatagramSocket(address) : new FaultyDatagramSocket(address, faults);
            } catch (java.net.BindException e) {
                if (address.getPort() == 0 || attempt >= BIND_ATTEMPTS) {
                    throw new java.net.BindException("cannot bind UDP " + address + ": " + e.getMessage());
                }
                try {
                    Thread.sleep(BIND_RETRY_MILLIS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static KeyStore keyStore(NodeIdentity identity) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("node", identity.keyPair().getPrivate(), KEYSTORE_PASSWORD, new Certificate[] {
                identity.certificate()
            });
            return store;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot hold the node key in a key store: " + e.getMessage(), e);
        }
    }

    private static ServerConnectionConfig serverConfig(QuicConfig config) {
        return ServerConnectionConfig.builder()
                .maxIdleTimeoutInSeconds((int) config.idleTimeout().toSeconds())
                .maxOpenPeerInitiatedBidirectionalStreams(config.maxStreamsPerConnection())
                .maxOpenPeerInitiatedUnidirectionalStreams(0)
                .maxBidirectionalStreamBufferSize(config.streamBufferBytes())
                .maxUnidirectionalStreamBufferSize(0)
                .maxConnectionBufferSize(config.streamBufferBytes() * 4)
                .retryRequired(false)
                .build();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        var counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private void shutdownExecutors() {
        handlers.shutdownNow();
        timers.shutdownNow();
    }

    /** Stops the server and its threads. Idempotent; does not wait for in-flight handlers. */
    @Override
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (socket != null) {
                socket.close();
            }
            shutdownExecutors();
        }
    }
}
