package dev.aspen.mesh.node;

import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.tickets.SocketAddresses;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;

/**
 * What {@code aspen node} does once its configuration is valid: start an {@link AspenNode}, write
 * {@value NodeFiles#NODE_FILE}, print where it serves, and run until a signal stops it (SIGTERM or
 * Ctrl-C: a clean shutdown and exit status 0; 1 if closing failed, with the error on stderr).
 */
public final class NodeRunner {
    private NodeRunner() {}

    /** Runs the node until the process is stopped; returns only by throwing when the start fails. */
    public static int run(NodeConfig config, PrintWriter out) throws Exception {
        AspenNode node = AspenNode.start(config);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            // Kwik leaves non-daemon threads behind: end the process explicitly, and
                            // with 0 after a clean close, since only a signal ends a running node.
                            int status = 0;
                            try {
                                node.close();
                            } catch (RuntimeException e) {
                                System.err.println("aspen: the node did not close cleanly: " + e);
                                e.printStackTrace();
                                status = 1;
                            }
                            Runtime.getRuntime().halt(status);
                        },
                        "aspen-shutdown"));
        NodeFiles.NodeInfo info = node.info();
        NodeFiles.writeNodeInfo(config.dataDir(), info);
        out.println("aspen node " + info.nodeId() + " is serving cluster " + info.clusterId());
        out.println("  QUIC      " + info.quicAddress());
        out.println("  gossip    " + info.gossipAddress().orElse("-"));
        String url = "http://" + SocketAddresses.format(node.httpAddress());
        out.println("  HTTP      " + url);
        out.println("  data dir  " + config.dataDir().toAbsolutePath());
        out.println("  ticket    " + info.ticket());
        out.println("  join      for a ticket a new node can join with, without the cookie (keep it secret):"
                + " bin/aspen cluster ticket --join --data-dir " + config.dataDir());
        out.println("Try:  curl -X PUT " + url + "/v1/kv/hello -d world");
        out.println("      curl " + url + "/v1/kv/hello?raw");
        out.println("      bin/aspen kv get hello --data-dir " + config.dataDir());
        out.println("Stop with Ctrl-C (SIGTERM): the node shuts down cleanly.");
        out.flush();
        new CountDownLatch(1).await();
        return 0;
    }
}
