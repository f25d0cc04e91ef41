package dev.aspen.examples;

import static dev.aspen.examples.Examples.bytes;
import static dev.aspen.examples.Examples.join;
import static dev.aspen.examples.Examples.say;
import static dev.aspen.examples.Examples.text;

import dev.aspen.kv.GetResponse;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.mesh.config.NodeConfig;
import dev.aspen.mesh.node.AspenNode;
import java.nio.file.Path;

/**
 * One Aspen node embedded in a Java program: start it, put, get and delete a key, stop it cleanly.
 * A node started without peers or a ticket forms a one-node cluster at once and leads it.
 *
 * <p>Usage: {@code BasicCluster [DATA_DIR]} (default: a temporary directory, deleted at the end).
 * Given a data directory, a second run finds the node's identity and data there again.
 */
public final class BasicCluster {
    private BasicCluster() {}

    public static void main(String[] args) {
        Examples.run(() -> {
            boolean temporary = args.length == 0;
            Path dataDir = temporary ? Examples.tempDir("basic") : Path.of(args[0]);
            NodeConfig config = NodeConfig.builder(dataDir).lan(false).build();
            try (AspenNode node = AspenNode.start(config)) {
                say("started node %s in %s", Examples.shortId(node), dataDir);
                say(
                        "it leads its one-node cluster: role %s",
                        join(node.admin().status()).selfRole());
                demo(node.kv());
                say("stopping the node");
            }
            say("node stopped cleanly");
            if (temporary) {
                Examples.deleteTree(dataDir);
            }
        });
    }

    private static void demo(KeyValueStore kv) throws Exception {
        long revision = join(kv.put(bytes("hello"), bytes("world"))).revision();
        say("put hello = world (revision %d)", revision);
        GetResponse got = join(kv.get(bytes("hello")));
        say("get hello -> %s", got.kv().map(found -> text(found.value())).orElse("(not found)"));
        long deleted = join(kv.delete(KeyRange.key(bytes("hello")), false)).deleted();
        say("delete hello -> %d key deleted", deleted);
        GetResponse gone = join(kv.get(bytes("hello")));
        say("get hello -> %s", gone.kv().map(found -> text(found.value())).orElse("(not found)"));
    }
}
