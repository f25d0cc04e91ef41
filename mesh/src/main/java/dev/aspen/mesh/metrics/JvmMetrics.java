package dev.aspen.mesh.metrics;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.ToLongFunction;

/** The JVM's and the process's metrics ({@code jvm_*}, {@code process_*}), read from the MXBeans and /proc. */
final class JvmMetrics {
    private static final Path PROC_STATUS = Path.of("/proc/self/status");

    private JvmMetrics() {}

    static void register(MetricsRegistry registry) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory(
                registry,
                "jvm_memory_used_bytes",
                "JVM memory in use, by area (heap, nonheap).",
                memory,
                MemoryUsage::getUsed);
        memory(
                registry,
                "jvm_memory_committed_bytes",
                "JVM memory committed, by area.",
                memory,
                MemoryUsage::getCommitted);
        memory(
                registry,
                "jvm_memory_max_bytes",
                "JVM memory limit, by area (absent when undefined).",
                memory,
                MemoryUsage::getMax);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        registry.gauge("jvm_threads_live", "Live JVM threads.", () -> threads.getThreadCount());
        registry.gauge("jvm_threads_daemon", "Live JVM daemon threads.", () -> threads.getDaemonThreadCount());
        registry.gauge("jvm_threads_peak", "Most live JVM threads since start.", () -> threads.getPeakThreadCount());

        List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
        registry.counterFrom("jvm_gc_collections_total", "Garbage collections, by collector.", List.of("gc"), sink -> {
            for (GarbageCollectorMXBean gc : collectors) {
                if (gc.getCollectionCount() >= 0) {
                    sink.add(gc.getCollectionCount(), gc.getName());
                }
            }
        });
        registry.counterFrom(
                "jvm_gc_collection_seconds_total",
                "Time spent in garbage collection, by collector (approximate, as the JVM reports it).",
                List.of("gc"),
                sink -> {
                    for (GarbageCollectorMXBean gc : collectors) {
                        if (gc.getCollectionTime() >= 0) {
                            sink.add(gc.getCollectionTime() / 1000.0, gc.getName());
                        }
                    }
                });

        RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
        registry.gauge("process_uptime_seconds", "Time since the JVM started.", () -> runtime.getUptime() / 1000.0);
        registry.gauge(
                "process_start_time_seconds",
                "Start time of the process since the Unix epoch.",
                () -> runtime.getStartTime() / 1000.0);
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean hotspot) {
            registry.counterFrom("process_cpu_seconds_total", "CPU time used by the process.", List.of(), sink -> {
                long nanos = hotspot.getProcessCpuTime();
                if (nanos >= 0) {
                    sink.add(nanos / 1e9);
                }
            });
        }
        if (Files.isReadable(PROC_STATUS)) {
            registry.gauge(
                    "process_resident_memory_bytes",
                    "Resident set size of the process (Linux /proc/self/status VmRSS).",
                    List.of(),
                    sink -> residentBytes().ifPresent(sink::add));
        }
    }

    private static void memory(
            MetricsRegistry registry,
            String name,
            String help,
            MemoryMXBean memory,
            ToLongFunction<MemoryUsage> value) {
        registry.gauge(name, help, List.of("area"), sink -> {
            long heap = value.applyAsLong(memory.getHeapMemoryUsage());
            long nonHeap = value.applyAsLong(memory.getNonHeapMemoryUsage());
            if (heap >= 0) {
                sink.add(heap, "heap");
            }
            if (nonHeap >= 0) {
                sink.add(nonHeap, "nonheap");
            }
        });
    }

    private static OptionalLong residentBytes() {
        try {
            return parseResidentBytes(Files.readAllLines(PROC_STATUS));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** The {@code VmRSS:   1234 kB} line of /proc/self/status, in bytes. */
    static OptionalLong parseResidentBytes(List<String> statusLines) {
        for (String line : statusLines) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
                if (parts.length == 2 && parts[1].equals("kB") && parts[0].matches("\\d{1,15}")) {
                    return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
                }
            }
        }
        return OptionalLong.empty();
    }
}
