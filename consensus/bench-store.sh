#!/usr/bin/env bash
# Write-ahead log benchmark: entries/s, fsyncs/s and bytes per entry with a flush every 1, 16, 128
# entries. Usage: consensus/bench-store.sh [directory] [seconds-per-run]
BENCH_JAVA_OPTS="" exec "$(dirname "${BASH_SOURCE[0]}")/../bin/lib/run-test-main.sh" consensus dev.aspen.consensus.store.bench.StoreBench "$@"
