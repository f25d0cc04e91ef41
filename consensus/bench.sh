#!/usr/bin/env bash
# Replicate throughput/latency of an in-process 3-node Raft group (see consensus/README.md).
# Usage: consensus/bench.sh [seconds per level] [value bytes]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl consensus -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
# Same list as aspen.jvm.flags in the parent pom.
FLAGS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true"
# shellcheck disable=SC2086
java $FLAGS -cp "consensus/target/test-classes:consensus/target/classes:$(cat consensus/target/cp.txt)" \
  dev.aspen.consensus.bench.ReplicateBench "$@"
