#!/usr/bin/env bash
# QUIC transport and client benchmark on loopback: one-way channel throughput, request/response
# latency, and AspenClient put/get against three replicas with durable logs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -B -q -pl mesh -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test >/dev/null
# Same list as aspen.jvm.flags in the parent pom.
FLAGS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
# shellcheck disable=SC2086
exec java $FLAGS -cp "mesh/target/test-classes:mesh/target/classes:$(cat mesh/target/cp.txt)" \
  dev.aspen.mesh.bench.MeshBench "$@"
