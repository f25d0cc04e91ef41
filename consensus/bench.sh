#!/usr/bin/env bash
# Replicate throughput/latency of an in-process 3-node Raft group (see consensus/README.md).
# Usage: consensus/bench.sh [seconds per level] [value bytes] [store dir]
BENCH_JAVA_OPTS="" exec "$(dirname "${BASH_SOURCE[0]}")/../bin/lib/run-test-main.sh" consensus dev.aspen.consensus.bench.ReplicateBench "$@"
