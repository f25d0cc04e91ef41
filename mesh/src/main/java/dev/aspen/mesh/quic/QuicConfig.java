package dev.aspen.mesh.quic;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a {@link QuicEndpoint}. Build with {@link #builder()}; every field is validated in
 * {@link Builder#build()} with a message naming it.
 *
 * @param bind address the UDP socket binds to (default 127.0.0.1)
 * @param port UDP port, 0 to pick a free one
 * @param maxFrameBytes largest frame payload accepted on any stream (default 16 MiB)
 * @param idleTimeout a connection with no traffic for this long is closed (dead-peer detection)
 * @param connectTimeout bound on dialing, TLS included
 * @param handshakeTimeout bound on the admission handshake, on both sides
 * @param maxStreamsPerConnection concurrent peer-initiated streams per connection
 * @param streamBufferBytes per-stream receive buffer (flow-control window)
 * @param maxHandlerThreads threads serving streams across all connections; a stream beyond this
 *     is reset, never queued without bound
 * @param linkFaults a fault switch dropping the datagrams of blocked links (tests only; default
 *     none, and then the endpoint uses plain sockets)
 */
public record QuicConfig(
        InetAddress bind,
        int port,
        int maxFrameBytes,
        Duration idleTimeout,
        Duration connectTimeout,
        Duration handshakeTimeout,
        int maxStreamsPerConnection,
        long streamBufferBytes,
        int maxHandlerThreads,
        Optional<LinkFaults> linkFaults) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with safe defaults. */
    public static final class Builder {
        private InetAddress bind = InetAddress.getLoopbackAddress();
        private int port;
        private int maxFrameBytes = Frames.DEFAULT_MAX_FRAME_BYTES;
        private Duration idleTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration handshakeTimeout = Duration.ofSeconds(5);
        private int maxStreamsPerConnection = 128;
        private long streamBufferBytes = 4L * 1024 * 1024;
        private int maxHandlerThreads = 256;
        private Optional<LinkFaults> linkFaults = Optional.empty();

        private Builder() {}

        public Builder bind(InetAddress bind) {
            this.bind = bind;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder maxFrameBytes(int maxFrameBytes) {
            this.maxFrameBytes = maxFrameBytes;
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder handshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = handshakeTimeout;
            return this;
        }

        public Builder maxStreamsPerConnection(int maxStreamsPerConnection) {
            this.maxStreamsPerConnection = maxStreamsPerConnection;
            return this;
        }

        public Builder streamBufferBytes(long streamBufferBytes) {
            this.streamBufferBytes = streamBufferBytes;
            return this;
        }

        public Builder maxHandlerThreads(int maxHandlerThreads) {
            this.maxHandlerThreads = maxHandlerThreads;
            return this;
        }

        /** Drops the datagrams of the links {@code faults} blocks, on the server and on every dial. */
        public Builder linkFaults(LinkFaults faults) {
            this.linkFaults = Optional.of(Objects.requireNonNull(faults, "linkFaults"));
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid field */
        public QuicConfig build() {
            require(bind != null, "bind must be set");
            require(port >= 0 && port <= 65535, "port must be 0 to 65535, got " + port);
            require(maxFrameBytes >= 1024, "maxFrameBytes must be at least 1024, got " + maxFrameBytes);
            require(positive(idleTimeout) && idleTimeout.toSeconds() >= 1, "idleTimeout must be at least 1 s");
            require(positive(connectTimeout), "connectTimeout must be positive");
            require(positive(handshakeTimeout), "handshakeTimeout must be positive");
            require(maxStreamsPerConnection >= 1, "maxStreamsPerConnection must be at least 1");
            require(streamBufferBytes >= 64 * 1024, "streamBufferBytes must be at least 65536");
            require(maxHandlerThreads >= 1, "maxHandlerThreads must be at least 1");
            return new QuicConfig(
                    bind,
                    port,
                    maxFrameBytes,
                    idleTimeout,
                    connectTimeout,
                    handshakeTimeout,
                    maxStreamsPerConnection,
                    streamBufferBytes,
                    maxHandlerThreads,
                    linkFaults);
        }

        private static boolean positive(Duration d) {
            return d != null && !d.isNegative() && !d.isZero();
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
