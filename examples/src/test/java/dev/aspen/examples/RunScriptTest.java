package dev.aspen.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code examples/run.sh} names every example and refuses an unknown one before building anything. */
class RunScriptTest {
    private static final Path SCRIPT = Path.of("run.sh").toAbsolutePath();

    @Test
    void anUnknownNameGetsTheListOfExamplesAndStatus2() throws Exception {
        Process process = new ProcessBuilder(SCRIPT.toString(), "NoSuchExample")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.exitValue()).isEqualTo(2);
        for (Class<?> example : new Class<?>[] {
            BasicCluster.class,
            KvOperations.class,
            MultiNodeCluster.class,
            TicketJoin.class,
            ZeroConfigLan.class,
            EdgeReplica.class,
            DistributedLock.class
        }) {
            assertThat(stderr).contains(example.getSimpleName());
        }
    }
}
