package dev.aspen.mesh.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's metrics and their Prometheus text exposition ({@link #scrape()}, format 0.0.4).
 *
 * <p>Two kinds of metric:
 *
 * <ul>
 *   <li><b>Pushed</b>: {@link Counter}s and {@link Histogram}s the code updates as events happen.
 *       Updates are lock-free ({@code LongAdder}); looking up a labelled series is a lock-free map
 *       read once the series exists.
 *   <li><b>Pulled</b>: gauges (and counters kept elsewhere) whose values a {@link SampleSource}
 *       reads at scrape time, on the scraping thread. Sources must be cheap and must not block.
 * </ul>
 *
 * <p>Every metric has at most {@code maxSeriesPerMetric} label sets (default {@value
 * #DEFAULT_MAX_SERIES_PER_METRIC}). Beyond that, new label sets are dropped: a pushed one gets a
 * detached series that is never exported, a pulled sample is skipped; either is logged once per
 * metric. A source that throws is logged once and its metric left out of that scrape.
 *
 * <p>Names follow Prometheus rules; counter names must end in {@code _total}; registering a name
 * twice is an error. Thread-safe.
 */
public final class MetricsRegistry {
    /** The HTTP {@code Content-Type} of {@link #scrape()}. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Default limit of label sets per metric. */
    public static final int DEFAULT_MAX_SERIES_PER_METRIC = 1024;

    private static final Logger log = LoggerFactory.getLogger(MetricsRegistry.class);
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final double[] LATENCY_BUCKETS_SECONDS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };
    private static final Comparator<List<String>> LABEL_ORDER = (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    private final int maxSeriesPerMetric;
    private final Map<String, Family> families = new ConcurrentSkipListMap<>();

    /** A registry with {@value #DEFAULT_MAX_SERIES_PER_METRIC} label sets per metric at most. */
    public MetricsRegistry() {
        this(DEFAULT_MAX_SERIES_PER_METRIC);
    }

    /** A registry with at most {@code maxSeriesPerMetric} (≥ 1) label sets per metric. */
    public MetricsRegistry(int maxSeriesPerMetric) {
        if (maxSeriesPerMetric < 1) {
            throw new IllegalArgumentException("maxSeriesPerMetric must be >= 1, was " + maxSeriesPerMetric);
        }
        this.maxSeriesPerMetric = maxSeriesPerMetric;
    }

    /** Latency buckets from 0.5 ms to 10 s (a fresh copy). */
    public static double[] latencyBucketsSeconds() {
        return LATENCY_BUCKETS_SECONDS.clone();
    }

    /** A metric with label names; {@link #labels} picks one series. */
    public interface Labelled<T> {
        /**
         * The series for these label values (one per label name, in order), created on first use;
         * beyond the series limit, a detached series that is never exported. Never blocks once the
         * series exists.
         *
         * @throws IllegalArgumentException if the count of values is wrong or a value is null
         */
        T labels(String... values);
    }

    /** Reads a pulled metric's current samples at scrape time. */
    @FunctionalInterface
    public interface SampleSource {
        /** Adds every current sample to {@code sink}; must be quick and must not block. */
        void collect(SampleSink sink);
    }

    /** Receives a pulled metric's samples. */
    @FunctionalInterface
    public interface SampleSink {
        /**
         * One sample; {@code labelValues} one per label name, in order. A label set already added
         * in this scrape is ignored.
         *
         * @throws IllegalArgumentException if the count of values is wrong or a value is null
         */
        void add(double value, String... labelValues);
    }

    /** An unlabelled counter, exported from registration on (at 0). */
    public Counter counter(String name, String help) {
        return counter(name, help, List.of()).labels();
    }

    /** A counter with labels; a series is exported once it is first used. */
    public Labelled<Counter> counter(String name, String help, List<String> labelNames) {
        requireCounterName(name);
        return register(
                new SeriesFamily<>(name, help, "counter", labelNames, Counter::new, MetricsRegistry::writeCounter));
    }

    /**
     * An unlabelled histogram over {@code upperBounds} (finite, strictly increasing; {@code +Inf}
     * is added), exported from registration on.
     */
    public Histogram histogram(String name, String help, double[] upperBounds) {
        return histogram(name, help, upperBounds, List.of()).labels();
    }

    /** A histogram with labels (not {@code le}); a series is exported once it is first used. */
    public Labelled<Histogram> histogram(String name, String help, double[] upperBounds, List<String> labelNames) {
        double[] bounds = checkBuckets(name, upperBounds);
        if (labelNames.contains("le")) {
            throw new IllegalArgumentException("histogram " + name + " may not have a label named le");
        }
        return register(new SeriesFamily<>(
                name, help, "histogram", labelNames, () -> new Histogram(bounds), MetricsRegistry::writeHistogram));
    }

    /** An unlabelled gauge read from {@code value} at scrape time. */
    public void gauge(String name, String help, DoubleSupplier value) {
        gauge(name, help, List.of(), sink -> sink.add(value.getAsDouble()));
    }

    /** A gauge whose samples {@code source} provides at scrape time (it may provide none). */
    public void gauge(String name, String help, List<String> labelNames, SampleSource source) {
        register(new PulledFamily(name, help, "gauge", labelNames, source));
    }

    /**
     * A counter kept elsewhere (monotonic), read from {@code source} at scrape time; the name must
     * end in {@code _total}.
     */
    public void counterFrom(String name, String help, List<String> labelNames, SampleSource source) {
        requireCounterName(name);
        register(new PulledFamily(name, help, "counter", labelNames, source));
    }

    /**
     * Every metric in the text exposition format 0.0.4 ({@link #CONTENT_TYPE}): metrics ordered by
     * name, series by label values. Runs the pulled metrics' sources on the calling thread.
     */
    public String scrape() {
        StringBuilder out = new StringBuilder(8192);
        for (Family family : families.values()) {
            StringBuilder samples = new StringBuilder();
            try {
                family.writeSamples(samples);
            } catch (RuntimeException e) {
                if (family.failureLogged.compareAndSet(false, true)) {
                    log.warn("metric {} left out of the scrape: its source failed (logged once)", family.name, e);
                }
                continue;
            }
            out.append("# HELP ")
                    .append(family.name)
                    .append(' ')
                    .append(TextFormat.escapeHelp(family.help))
                    .append('\n');
            out.append("# TYPE ")
                    .append(family.name)
                    .append(' ')
                    .append(family.type)
                    .append('\n');
            out.append(samples);
        }
        return out.toString();
    }

    private <F extends Family> F register(F family) {
        if (families.putIfAbsent(family.name, family) != null) {
            throw new IllegalArgumentException("metric " + family.name + " is already registered");
        }
        return family;
    }

    private static void requireCounterName(String name) {
        if (name == null || !name.endsWith("_total")) {
            throw new IllegalArgumentException("counter name must end in _total: " + name);
        }
    }

    private static double[] checkBuckets(String name, double[] upperBounds) {
        if (upperBounds == null || upperBounds.length == 0) {
            throw new IllegalArgumentException("histogram " + name + " needs at least one bucket");
        }
        double[] bounds = upperBounds.clone();
        for (int i = 0; i < bounds.length; i++) {
            if (!Double.isFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
                throw new IllegalArgumentException("histogram " + name
                        + " buckets must be finite and strictly increasing (+Inf is added): "
                        + Arrays.toString(upperBounds));
            }
        }
        return bounds;
    }

    private static List<String> labelValues(String metric, List<String> labelNames, String[] values) {
        if (values.length != labelNames.size()) {
            throw new IllegalArgumentException("metric " + metric + " has labels " + labelNames + ", got "
                    + values.length + " values: " + Arrays.toString(values));
        }
        for (String value : values) {
            if (value == null) {
                throw new IllegalArgumentException("metric " + metric + ": label values must not be null");
            }
        }
        return List.of(values);
    }

    private static void writeCounter(
            StringBuilder out, String name, List<String> labels, List<String> values, Counter c) {
        TextFormat.writeSample(out, name, labels, values, null, null, c.value());
    }

    private static void writeHistogram(
            StringBuilder out, String name, List<String> labels, List<String> values, Histogram h) {
        double[] bounds = h.upperBounds();
        long[] cumulative = h.cumulativeCounts();
        String bucket = name + "_bucket";
        for (int i = 0; i < bounds.length; i++) {
            TextFormat.writeSample(out, bucket, labels, values, "le", TextFormat.formatValue(bounds[i]), cumulative[i]);
        }
        long count = cumulative[bounds.length];
        TextFormat.writeSample(out, bucket, labels, values, "le", "+Inf", count);
        TextFormat.writeSample(out, name + "_sum", labels, values, null, null, h.sum());
        TextFormat.writeSample(out, name + "_count", labels, values, null, null, count);
    }

    /** Name, help, type and label names of one metric, validated. */
    private abstract class Family {
        final String name;
        final String help;
        final String type;
        final List<String> labelNames;
        final AtomicBoolean overflowLogged = new AtomicBoolean();
        final AtomicBoolean failureLogged = new AtomicBoolean();

        Family(String name, String help, String type, List<String> labelNames) {
            if (name == null || !METRIC_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("invalid metric name: " + name);
            }
            if (help == null) {
                throw new IllegalArgumentException("metric " + name + " needs a help text");
            }
            Set<String> seen = new HashSet<>();
            for (String label : labelNames) {
                if (label == null || !LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                    throw new IllegalArgumentException("metric " + name + ": invalid label name " + label);
                }
                if (!seen.add(label)) {
                    throw new IllegalArgumentException("metric " + name + ": duplicate label name " + label);
                }
            }
            this.name = name;
            this.help = help;
            this.type = type;
            this.labelNames = List.copyOf(labelNames);
        }

        /** Appends the sample lines; may throw if a source fails. */
        abstract void writeSamples(StringBuilder out);

        void logOverflow(List<String> dropped) {
            if (overflowLogged.compareAndSet(false, true)) {
                log.warn(
                        "metric {} reached its limit of {} series; further label sets are dropped, first {} (logged once)",
                        name,
                        maxSeriesPerMetric,
                        dropped);
            }
        }
    }

    /** Writes one pushed series. */
    @FunctionalInterface
    private interface SeriesWriter<T> {
        void write(StringBuilder out, String name, List<String> labelNames, List<String> labelValues, T series);
    }

    /** A pushed metric: one {@link Counter} or {@link Histogram} per label set. */
    private final class SeriesFamily<T> extends Family implements Labelled<T> {
        private final Map<List<String>, T> series = new ConcurrentHashMap<>();
        private final AtomicInteger size = new AtomicInteger();
        private final Supplier<T> factory;
        private final SeriesWriter<T> writer;
        private final T overflow;

        SeriesFamily(
                String name,
                String help,
                String type,
                List<String> labelNames,
                Supplier<T> factory,
                SeriesWriter<T> writer) {
            super(name, help, type, labelNames);
            this.factory = factory;
            this.writer = writer;
            this.overflow = factory.get();
        }

        @Override
        public T labels(String... values) {
            List<String> key = labelValues(name, labelNames, values);
            T existing = series.get(key);
            if (existing != null) {
                return existing;
            }
            T created = series.computeIfAbsent(key, k -> {
                if (size.incrementAndGet() > maxSeriesPerMetric) {
                    size.decrementAndGet();
                    return null;
                }
                return factory.get();
            });
            if (created == null) {
                logOverflow(key);
                return overflow;
            }
            return created;
        }

        @Override
        void writeSamples(StringBuilder out) {
            List<Map.Entry<List<String>, T>> entries = new ArrayList<>(series.entrySet());
            entries.sort(Map.Entry.comparingByKey(LABEL_ORDER));
            for (Map.Entry<List<String>, T> entry : entries) {
                writer.write(out, name, labelNames, entry.getKey(), entry.getValue());
            }
        }
    }

    /** A pulled metric: samples read from a {@link SampleSource} at each scrape. */
    private final class PulledFamily extends Family {
        private final SampleSource source;

        PulledFamily(String name, String help, String type, List<String> labelNames, SampleSource source) {
            super(name, help, type, labelNames);
            if (source == null) {
                throw new IllegalArgumentException("metric " + name + " needs a source");
            }
            this.source = source;
        }

        @Override
        void writeSamples(StringBuilder out) {
            Map<List<String>, Double> samples = new TreeMap<>(LABEL_ORDER);
            source.collect((value, labelValues) -> {
                List<String> key = labelValues(name, labelNames, labelValues);
                if (samples.size() >= maxSeriesPerMetric && !samples.containsKey(key)) {
                    logOverflow(key);
                    return;
                }
                samples.putIfAbsent(key, value);
            });
            samples.forEach(
                    (labels, value) -> TextFormat.writeSample(out, name, labelNames, labels, null, null, value));
        }
    }
}
