package dev.aspen.examples;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZeroConfigLanTest {
    @TempDir
    Path dir;

    @Test
    void nodesSharingOnlyACookieFindEachOtherByTheBeacon() throws Exception {
        var result = ExampleProcess.run(dir, ZeroConfigLan.class).succeeded();

        result.line("they found each other and formed cluster \\w+ with 3 voters");
        result.line("  node \\w+: leader");
        result.line("get found-by on node \\w+ -> beacon");
    }
}
