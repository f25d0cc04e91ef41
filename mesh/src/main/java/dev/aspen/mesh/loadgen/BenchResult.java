package dev.aspen.mesh.loadgen;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one measured run did (the warm-up and the prefill are not in it).
 *
 * @param target the store's label ({@code aspen}, {@code etcd}, ...)
 * @param spec the run's parameters
 * @param seconds from the first measured operation to the last answer
 * @param ops operations that succeeded
 * @param errors operations that failed, in total
 * @param errorCodes failed operations by {@link Target#errorCode}, sorted by code
 * @param latency of the successful operations
 */
public record BenchResult(
        String target,
        LoadSpec spec,
        double seconds,
        long ops,
        long errors,
        Map<String, Long> errorCodes,
        Latency latency) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Copies the error counts. */
    public BenchResult {
        errorCodes = Map.copyOf(new TreeMap<>(errorCodes));
    }

    /**
     * Latency percentiles in milliseconds (all zero when nothing succeeded).
     *
     * @param p999 the 99.9th percentile
     */
    public record Latency(double p50, double p90, double p99, double p999, double max) {
        /** The percentiles of a histogram of nanoseconds. */
        static Latency of(Histogram nanos) {
            return new Latency(
                    millis(nanos.getValueAtPercentile(50)),
                    millis(nanos.getValueAtPercentile(90)),
                    millis(nanos.getValueAtPercentile(99)),
                    millis(nanos.getValueAtPercentile(99.9)),
                    millis(nanos.getMaxValue()));
        }

        private static double millis(long nanos) {
            return nanos / 1e6;
        }
    }

    /** Successful operations per second of the measured run. */
    public double opsPerSecond() {
        return seconds > 0 ? ops / seconds : 0;
    }

    /** One JSON object (one line) with the parameters and the results; field names are stable. */
    public String toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("target", target);
        fields.put("workload", spec.workload().wireName());
        fields.put("clients", spec.clients());
        fields.put("inflight", spec.inflight());
        fields.put("key_size", spec.keySize());
        fields.put("value_size", spec.valueSize());
        fields.put("keyspace", spec.keyspace());
        fields.put("consistency", spec.consistency().wireName());
        fields.put("read_ratio", spec.readRatio());
        fields.put("warmup_s", spec.warmup().toMillis() / 1e3);
        fields.put("seconds", round(seconds));
        fields.put("ops", ops);
        fields.put("errors", errors);
        fields.put("error_codes", new TreeMap<>(errorCodes));
        fields.put("ops_per_s", round(opsPerSecond()));
        Map<String, Object> latencyFields = new LinkedHashMap<>();
        latencyFields.put("p50", round(latency.p50()));
        latencyFields.put("p90", round(latency.p90()));
        latencyFields.put("p99", round(latency.p99()));
        latencyFields.put("p99_9", round(latency.p999()));
        latencyFields.put("max", round(latency.max()));
        fields.put("latency_ms", latencyFields);
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a result as JSON", e);
        }
    }

    /** A few lines for people. */
    public String summary() {
        var text = new StringBuilder();
        text.append(String.format(
                "%s %s: %d clients, %d in flight, %d B keys, %d B values, %d keys%s%n",
                target,
                spec.workload().wireName(),
                spec.clients(),
                spec.inflight(),
                spec.keySize(),
                spec.valueSize(),
                spec.keyspace(),
                reads() ? ", " + spec.consistency().wireName() + " reads" : ""));
        text.append(
                String.format("  %,.0f ops/s  (%d ops in %.2f s, %d errors)%n", opsPerSecond(), ops, seconds, errors));
        text.append(String.format(
                "  latency ms  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f",
                latency.p50(), latency.p90(), latency.p99(), latency.p999(), latency.max()));
        errorCodes.forEach((code, count) -> text.append(String.format("%n  error %s: %d", code, count)));
        return text.toString();
    }

    private boolean reads() {
        return spec.workload() == Workload.GET || spec.workload() == Workload.MIXED;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
