#!/usr/bin/env bash
# Runs the discovery benchmark (join / kill detection times, gossip bytes per node) on loopback.
# Usage: discovery/bench.sh [sizes...]   (default sizes: 3 5 9)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl discovery -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
FLAGS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true"
# shellcheck disable=SC2086
exec java $FLAGS -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "discovery/target/test-classes:discovery/target/classes:$(cat discovery/target/cp.txt)" \
  dev.aspen.discovery.bench.DiscoveryBench "$@"
