/**
 * Metrics and the disk guard: {@link dev.aspen.mesh.metrics.MetricsRegistry} (Prometheus text
 * exposition), {@link dev.aspen.mesh.metrics.NodeMetrics} (a node's Raft, QUIC, gossip, disk, JVM
 * metrics), {@link dev.aspen.mesh.metrics.MeteredKeyValueStore} (requests by operation and outcome,
 * latency) and {@link dev.aspen.mesh.metrics.DiskGuardedStore} (writes refused on a full disk).
 * Every metric is listed in {@code docs/metrics.md}.
 */
package dev.aspen.mesh.metrics;
