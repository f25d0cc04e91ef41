#!/usr/bin/env bash
# Runs the discovery benchmark (join / kill detection times, gossip bytes per node) on loopback.
# Usage: discovery/bench.sh [sizes...]   (default sizes: 3 5 9)
BENCH_JAVA_OPTS="-Dorg.slf4j.simpleLogger.defaultLogLevel=warn" exec "$(dirname "${BASH_SOURCE[0]}")/../bin/lib/run-test-main.sh" discovery dev.aspen.discovery.bench.DiscoveryBench "$@"
