package dev.aspen.mesh.quic;

import dev.aspen.tickets.NodeId;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts a QUIC server only if its certificate's public key hashes to the expected {@link NodeId}.
 * No CA, no expiry: the pin is the trust. Kwik drops the exception message, so the mismatch is
 * logged here.
 */
final class PinningTrustManager implements X509TrustManager {
    private static final Logger log = LoggerFactory.getLogger(PinningTrustManager.class);

    private final NodeId expected;
    private volatile NodeId mismatch;

    PinningTrustManager(NodeId expected) {
        this.expected = expected;
    }

    /** The node actually presented, if it was not the expected one; null otherwise. */
    NodeId mismatch() {
        return mismatch;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("server presented no certificate");
        }
        NodeId actual = NodeId.of(chain[0].getPublicKey());
        if (!actual.equals(expected)) {
            mismatch = actual;
            log.warn("refusing server: expected node {} but its certificate key is node {}", expected, actual);
            throw new CertificateException("server is node " + actual + ", expected " + expected);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client certificates are not used; dialers prove themselves on a stream");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
