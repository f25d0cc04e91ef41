package dev.aspen.mesh.quic;

/** Why an endpoint refused a dialer. Each reason has its own counter and QUIC application error code. */
public enum AuthFailure {
    /** The first stream did not carry a well-formed handshake. */
    MALFORMED(0x101),
    /** The proof answered a different nonce: a replay of another connection's proof. */
    REPLAYED(0x102),
    /** The signature does not verify under the presented key. */
    BAD_SIGNATURE(0x103),
    /** The MAC does not verify under this cluster's key: another cluster or no cookie. */
    BAD_MAC(0x104),
    /** The dialer proved its identity but is not a known member for this protocol. */
    UNKNOWN_PEER(0x105),
    /** The handshake did not finish in time. */
    TIMEOUT(0x106),
    /** A stream was opened before the handshake finished. */
    EARLY_STREAM(0x107);

    private final long code;

    AuthFailure(long code) {
        this.code = code;
    }

    /** The QUIC application error code the connection is closed with. */
    public long code() {
        return code;
    }
}
