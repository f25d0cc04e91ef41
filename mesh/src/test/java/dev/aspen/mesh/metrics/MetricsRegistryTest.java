package dev.aspen.mesh.metrics;

import static dev.aspen.mesh.metrics.LocalStore.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MetricsRegistryTest {
    @Test
    void scrapesInTheTextExpositionFormat() {
        MetricsRegistry registry = new MetricsRegistry();
        MetricsRegistry.Labelled<Counter> requests =
                registry.counter("demo_requests_total", "Requests by op.", List.of("op", "outcome"));
        requests.labels("put", "ok").add(3);
        requests.labels("get", "not_found").inc();
        requests.labels("get", "ok").inc();
        registry.gauge("demo_temperature_celsius", "A gauge.", () -> 21.5);
        Histogram latency = registry.histogram("demo_duration_seconds", "Latency.", new double[] {0.005, 0.1, 1});
        latency.observe(0.00390625); // binary fractions: the sum is exact
        latency.observe(0.0625);
        latency.observe(0.0625);
        latency.observe(3);
        registry.counter("demo_idle_total", "Never incremented.");

        assertThat(registry.scrape()).isEqualTo("""
                # HELP demo_duration_seconds Latency.
                # TYPE demo_duration_seconds histogram
                demo_duration_seconds_bucket{le="0.005"} 1
                demo_duration_seconds_bucket{le="0.1"} 3
                demo_duration_seconds_bucket{le="1"} 3
                demo_duration_seconds_bucket{le="+Inf"} 4
                demo_duration_seconds_sum 3.12890625
                demo_duration_seconds_count 4
                # HELP demo_idle_total Never incremented.
                # TYPE demo_idle_total counter
                demo_idle_total 0
                # HELP demo_requests_total Requests by op.
                # TYPE demo_requests_total counter
                demo_requests_total{op="get",outcome="not_found"} 1
                demo_requests_total{op="get",outcome="ok"} 1
                demo_requests_total{op="put",outcome="ok"} 3
                # HELP demo_temperature_celsius A gauge.
                # TYPE demo_temperature_celsius gauge
                demo_temperature_celsius 21.5
                """);
    }

    @Test
    void escapesLabelValuesAndHelp() {
        MetricsRegistry registry = new MetricsRegistry();
        registry.gauge(
                "demo_info",
                "Help with \\ and\nnewline \"quoted\".",
                List.of("path"),
                sink -> sink.add(1, "C:\\dir \"x\"\nnext"));

        assertThat(registry.scrape()).isEqualTo("""
                # HELP demo_info Help with \\\\ and\\nnewline "quoted".
                # TYPE demo_info gauge
                demo_info{path="C:\\\\dir \\"x\\"\\nnext"} 1
                """);
    }

    @Test
    void histogramBucketsAreCumulativeWithLabelsBeforeLe() {
        MetricsRegistry registry = new MetricsRegistry();
        MetricsRegistry.Labelled<Histogram> latency =
                registry.histogram("demo_seconds", "Latency.", MetricsRegistry.latencyBucketsSeconds(), List.of("op"));
        Histogram put = latency.labels("put");
        for (int i = 0; i < 10; i++) {
            put.observe(0.0004); // first bucket
        }
        put.observe(0.002); // le=0.0025
        put.observe(99); // only +Inf

        String text = registry.scrape();
        assertThat(sample(text, "demo_seconds_bucket{op=\"put\",le=\"0.0005\"}"))
                .isEqualTo(10);
        assertThat(sample(text, "demo_seconds_bucket{op=\"put\",le=\"0.001\"}")).isEqualTo(10);
        assertThat(sample(text, "demo_seconds_bucket{op=\"put\",le=\"0.0025\"}"))
                .isEqualTo(11);
        assertThat(sample(text, "demo_seconds_bucket{op=\"put\",le=\"10\"}")).isEqualTo(11);
        assertThat(sample(text, "demo_seconds_bucket{op=\"put\",le=\"+Inf\"}")).isEqualTo(12);
        assertThat(sample(text, "demo_seconds_count{op=\"put\"}")).isEqualTo(12);
        assertThat(sample(text, "demo_seconds_sum{op=\"put\"}"))
                .isCloseTo(99.006, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void countsConcurrentUpdatesExactly() throws Exception {
        MetricsRegistry registry = new MetricsRegistry();
        MetricsRegistry.Labelled<Counter> counter = registry.counter("demo_total", "x", List.of("thread"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        counter.labels("shared").inc();
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(sample(registry.scrape(), "demo_total{thread=\"shared\"}")).isEqualTo(40_000);
    }

    @Test
    void dropsLabelSetsBeyondTheSeriesLimit() {
        MetricsRegistry registry = new MetricsRegistry(2);
        MetricsRegistry.Labelled<Counter> counter = registry.counter("demo_total", "x", List.of("k"));
        counter.labels("a").inc();
        counter.labels("b").inc();
        counter.labels("c").add(5); // beyond the limit: counted nowhere visible
        counter.labels("a").inc(); // existing series still work
        registry.gauge("demo_pulled", "x", List.of("k"), sink -> {
            for (String k : List.of("x", "y", "z")) {
                sink.add(1, k);
            }
        });

        String text = registry.scrape();
        assertThat(sample(text, "demo_total{k=\"a\"}")).isEqualTo(2);
        assertThat(sample(text, "demo_total{k=\"b\"}")).isEqualTo(1);
        assertThat(text)
                .doesNotContain("k=\"c\"")
                .contains("demo_pulled{k=\"y\"} 1")
                .doesNotContain("k=\"z\"");
    }

    @Test
    void leavesOutAMetricWhoseSourceFails() {
        MetricsRegistry registry = new MetricsRegistry();
        registry.gauge("demo_broken", "x", () -> {
            throw new IllegalStateException("boom");
        });
        registry.gauge("demo_fine", "x", () -> 7);

        assertThat(registry.scrape()).doesNotContain("demo_broken").contains("demo_fine 7\n");
    }

    @Test
    void formatsValuesAsPrometheusParsesThem() {
        assertThat(TextFormat.formatValue(3)).isEqualTo("3");
        assertThat(TextFormat.formatValue(-0.0)).isEqualTo("0");
        assertThat(TextFormat.formatValue(0.0005)).isEqualTo("0.0005");
        assertThat(TextFormat.formatValue(1.5e-9)).isEqualTo("1.5E-9");
        assertThat(TextFormat.formatValue(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(TextFormat.formatValue(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
        assertThat(TextFormat.formatValue(Double.NaN)).isEqualTo("NaN");
    }

    @Test
    void rejectsBadDefinitionsNamingThem() {
        MetricsRegistry registry = new MetricsRegistry();
        registry.counter("demo_total", "x");
        assertThatThrownBy(() -> registry.counter("demo_total", "again"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("demo_total is already registered");
        assertThatThrownBy(() -> registry.counter("demo_requests", "x"))
                .hasMessageContaining("must end in _total: demo_requests");
        assertThatThrownBy(() -> registry.gauge("9bad", "x", () -> 1))
                .hasMessageContaining("invalid metric name: 9bad");
        assertThatThrownBy(() -> registry.gauge("demo_g", "x", List.of("a-b"), sink -> {}))
                .hasMessageContaining("invalid label name a-b");
        assertThatThrownBy(() -> registry.histogram("demo_h", "x", new double[] {1, 0.5}))
                .hasMessageContaining("strictly increasing");
        assertThatThrownBy(() -> registry.histogram("demo_h2", "x", new double[] {1}, List.of("le")))
                .hasMessageContaining("le");
        MetricsRegistry.Labelled<Counter> labelled = registry.counter("demo2_total", "x", List.of("op"));
        assertThatThrownBy(() -> labelled.labels("a", "b")).hasMessageContaining("has labels [op], got 2 values");
        assertThatThrownBy(() -> labelled.labels((String) null)).hasMessageContaining("must not be null");
    }
}
