#!/usr/bin/env bash
# QUIC transport benchmark: one-way channel throughput and request/response latency on loopback.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -B -q -pl mesh -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test >/dev/null
exec java -cp "mesh/target/test-classes:mesh/target/classes:$(cat mesh/target/cp.txt)" \
  dev.aspen.mesh.bench.MeshBench "$@"
