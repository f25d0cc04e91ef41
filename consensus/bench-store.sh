#!/usr/bin/env bash
# Write-ahead log benchmark: entries/s, fsyncs/s and bytes per entry with a flush every 1, 16, 128
# entries. Usage: consensus/bench-store.sh [directory] [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl consensus -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
# The aspen.jvm.flags list from the parent pom (Chronicle Map needs them; harmless here).
FLAGS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
--add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
-Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true"
# shellcheck disable=SC2086
exec java $FLAGS -cp "consensus/target/test-classes:consensus/target/classes:$(cat consensus/target/cp.txt)" \
  dev.aspen.consensus.store.bench.StoreBench "$@"
