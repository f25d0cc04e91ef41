#!/usr/bin/env bash
# State machine benchmark: apply rate (put/get/txn), map size and RSS for N keys (16 B keys,
# 100 B values), snapshot take/install, reopen after clean restart and after crash.
# Usage: kv/bench.sh [keys] [dataDir]
BENCH_JAVA_OPTS="-Xmx2g" exec "$(dirname "${BASH_SOURCE[0]}")/../bin/lib/run-test-main.sh" kv dev.aspen.kv.bench.KvBench "$@"
