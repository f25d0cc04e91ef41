package dev.aspen.mesh.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {
    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private FakeTarget fake() {
        return new FakeTarget(executor, call -> false, false);
    }

    @Test
    void measuresExactlyTheTotalAndLeavesTheWarmupOut() throws Exception {
        FakeTarget fake = fake();
        LoadSpec spec = LoadSpec.builder(Workload.PUT)
                .clients(3)
                .inflight(8)
                .total(500)
                .warmup(Duration.ofMillis(50))
                .build();

        BenchResult result = LoadGenerator.run("fake", spec, fake.factory(), Progress.none());

        assertThat(result.ops()).isEqualTo(500);
        assertThat(result.errors()).isZero();
        assertThat(fake.calls.get())
                .as("warm-up calls happened but are not counted")
                .isGreaterThan(500);
        assertThat(fake.opened.get()).isEqualTo(3);
        assertThat(fake.closed.get()).isEqualTo(3);
        assertThat(result.latency().max()).isGreaterThan(0);
    }

    @Test
    void neverHasMoreThanInflightOperationsOutstanding() throws Exception {
        FakeTarget fake = fake();
        LoadSpec spec = LoadSpec.builder(Workload.MIXED)
                .clients(2)
                .inflight(5)
                .total(2_000)
                .warmup(Duration.ZERO)
                .keyspace(100)
                .build();

        LoadGenerator.run("fake", spec, fake.factory(), Progress.none());

        assertThat(fake.maxOutstanding.get()).isBetween(1, 5);
    }

    @Test
    void countsFailuresByCodeAndOnlySuccessesAsOps() throws Exception {
        FakeTarget fake = new FakeTarget(executor, call -> call % 5 == 0, false);
        LoadSpec spec =
                LoadSpec.builder(Workload.TXN).total(100).warmup(Duration.ZERO).build();

        BenchResult result = LoadGenerator.run("fake", spec, fake.factory(), Progress.none());

        assertThat(result.ops()).isEqualTo(80);
        assertThat(result.errors()).isEqualTo(20);
        assertThat(result.errorCodes()).isEqualTo(Map.of("IllegalStateException", 20L));
    }

    @Test
    void operationsThatNeverAnswerCountAsTimeouts() throws Exception {
        FakeTarget fake = new FakeTarget(executor, call -> false, true);
        LoadSpec spec = LoadSpec.builder(Workload.GET)
                .keyspace(10)
                .inflight(4)
                .total(6)
                .warmup(Duration.ZERO)
                .opTimeout(Duration.ofMillis(20))
                .build();

        BenchResult result = LoadGenerator.run("fake", spec, fake.factory(), Progress.none());

        assertThat(result.ops()).isZero();
        assertThat(result.errorCodes()).isEqualTo(Map.of("timeout", 6L));
    }

    @Test
    void readWorkloadsWriteEveryKeyOnceBeforeMeasuring() throws Exception {
        FakeTarget fake = fake();
        LoadSpec spec = LoadSpec.builder(Workload.GET)
                .keyspace(50)
                .keySize(12)
                .total(30)
                .warmup(Duration.ZERO)
                .build();

        BenchResult result = LoadGenerator.run("fake", spec, fake.factory(), Progress.none());

        assertThat(fake.putKeys).hasSize(50).contains("bench/000000", "bench/000049");
        assertThat(fake.puts.get()).isEqualTo(50);
        assertThat(fake.gets.get()).isEqualTo(30);
        assertThat(result.ops()).isEqualTo(30);
    }

    @Test
    void watchOperationsCompleteWhenTheWatchDeliversTheirPut() throws Exception {
        FakeTarget fake = fake();
        LoadSpec spec = LoadSpec.builder(Workload.WATCH)
                .clients(2)
                .inflight(4)
                .total(200)
                .warmup(Duration.ZERO)
                .build();

        BenchResult result = LoadGenerator.run("fake", spec, fake.factory(), Progress.none());

        assertThat(result.ops()).isEqualTo(200);
        assertThat(result.errors()).isZero();
    }

    @Test
    void aDurationBoundedRunEndsAndReportsProgress() throws Exception {
        FakeTarget fake = fake();
        var out = new StringWriter();
        LoadSpec spec = LoadSpec.builder(Workload.PUT)
                .duration(Duration.ofMillis(200))
                .warmup(Duration.ZERO)
                .build();

        BenchResult result =
                LoadGenerator.run("fake", spec, fake.factory(), Progress.printer(new PrintWriter(out), false));

        assertThat(result.ops()).isPositive();
        assertThat(out.toString()).contains("measure").contains("ops/s");
    }

    @Test
    void jsonHasTheParametersAndResults() throws Exception {
        FakeTarget fake = fake();
        LoadSpec spec = LoadSpec.builder(Workload.MIXED)
                .total(100)
                .warmup(Duration.ZERO)
                .consistency(Consistency.STALE)
                .readRatio(0.5)
                .build();

        JsonNode json = new ObjectMapper()
                .readTree(LoadGenerator.run("fake", spec, fake.factory(), Progress.none())
                        .toJson());

        assertThat(json.get("target").asText()).isEqualTo("fake");
        assertThat(json.get("workload").asText()).isEqualTo("mixed");
        assertThat(json.get("consistency").asText()).isEqualTo("stale");
        assertThat(json.get("read_ratio").asDouble()).isEqualTo(0.5);
        assertThat(json.get("inflight").asInt()).isEqualTo(16);
        assertThat(json.get("ops").asLong()).isEqualTo(100);
        assertThat(json.get("errors").asLong()).isZero();
        assertThat(json.get("error_codes").size()).isZero();
        assertThat(json.get("ops_per_s").asDouble()).isPositive();
        assertThat(json.get("latency_ms").fieldNames())
                .toIterable()
                .containsExactly("p50", "p90", "p99", "p99_9", "max");
    }

    @Test
    void specRejectsBadFieldsByName() {
        assertThatThrownBy(() -> LoadSpec.builder(Workload.PUT)
                        .total(10)
                        .duration(Duration.ofSeconds(1))
                        .build())
                .hasMessage("give total or duration, not both");
        assertThatThrownBy(() -> LoadSpec.builder(Workload.PUT)
                        .keyspace(1_000_000)
                        .keySize(8)
                        .build())
                .hasMessage("key-size must be 12..4096 for a keyspace of 1000000, was 8");
        assertThatThrownBy(() -> LoadSpec.builder(Workload.WATCH).valueSize(4).build())
                .hasMessageStartingWith("value-size must be 8..");
        assertThatThrownBy(() -> LoadSpec.builder(Workload.PUT).inflight(0).build())
                .hasMessageStartingWith("inflight must be 1..");
        assertThat(LoadSpec.builder(Workload.PUT).build().duration()).contains(Duration.ofSeconds(10));
    }
}
