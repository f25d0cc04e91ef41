#!/usr/bin/env bash
# QUIC transport and client benchmark on loopback: one-way channel throughput, request/response
# latency, and AspenClient put/get against three replicas with durable logs.
BENCH_JAVA_OPTS="-Dorg.slf4j.simpleLogger.defaultLogLevel=warn" exec "$(dirname "${BASH_SOURCE[0]}")/../bin/lib/run-test-main.sh" mesh dev.aspen.mesh.bench.MeshBench "$@"
