package dev.aspen.mesh.quic;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of a {@link QuicEndpoint}; thread-safe, monotonic. */
public final class EndpointMetrics {
    private final Map<AuthFailure, LongAdder> authFailures = new EnumMap<>(AuthFailure.class);
    private final LongAdder admitted = new LongAdder();
    private final LongAdder streamsRejected = new LongAdder();
    private final LongAdder malformedFrames = new LongAdder();

    EndpointMetrics() {
        for (AuthFailure reason : AuthFailure.values()) {
            authFailures.put(reason, new LongAdder());
        }
    }

    void authFailed(AuthFailure reason) {
        authFailures.get(reason).increment();
    }

    void admitted() {
        admitted.increment();
    }

    void streamRejected() {
        streamsRejected.increment();
    }

    /** Counts a stream closed because its bytes did not form valid frames. */
    public void malformedFrame() {
        malformedFrames.increment();
    }

    /** Dialers refused for {@code reason}. */
    public long authFailures(AuthFailure reason) {
        return authFailures.get(reason).sum();
    }

    /** Dialers refused for any reason. */
    public long authFailures() {
        return authFailures.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Connections that passed the admission handshake. */
    public long admittedConnections() {
        return admitted.sum();
    }

    /** Streams reset because every handler thread was busy. */
    public long streamsRejected() {
        return streamsRejected.sum();
    }

    /** Streams closed because of malformed frames. */
    public long malformedFrames() {
        return malformedFrames.sum();
    }
}
