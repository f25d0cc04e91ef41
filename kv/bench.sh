#!/usr/bin/env bash
# State machine benchmark: apply rate (put/get/txn), map size and RSS for N keys (16 B keys,
# 100 B values), snapshot take/install, reopen after clean restart and after crash.
# Usage: kv/bench.sh [keys] [dataDir]    (run from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl kv -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
# The aspen.jvm.flags list from the parent pom (Chronicle Map needs them).
FLAGS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
--add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
-Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true"
exec java $FLAGS -Xmx2g -cp kv/target/test-classes:kv/target/classes:$(cat kv/target/cp.txt) \
  dev.aspen.kv.bench.KvBench "$@"
