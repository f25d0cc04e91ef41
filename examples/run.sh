#!/usr/bin/env bash
# Runs one example program: examples/run.sh NAME [ARGS...], NAME as in examples/README.md
# (BasicCluster, KvOperations, ...). Builds the project on first use (or when sources changed),
# then runs the example on the JVM with the flags Chronicle Map needs. Node logs go to stderr at
# level warn; ASPEN_LOG_LEVEL=info shows what the nodes do.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/examples/target/aspen-examples.jar"
lib="$root/examples/target/lib"
names="BasicCluster KvOperations MultiNodeCluster TicketJoin ZeroConfigLan EdgeReplica DistributedLock"

if [[ $# -eq 0 || " $names " != *" $1 "* ]]; then
  echo "usage: examples/run.sh NAME [ARGS...] where NAME is one of: $names" >&2
  exit 2
fi
name="$1"
shift

if ! command -v java >/dev/null 2>&1; then
  echo "examples: java not found; install a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless)" >&2
  exit 2
fi

stale() {
  [[ ! -f "$jar" || ! -d "$lib" ]] && return 0
  [[ -n "$(find "$root" -path "$root/*/src/main/*" -newer "$jar" -print -quit 2>/dev/null)" ]] && return 0
  [[ -n "$(find "$root" -maxdepth 2 -name pom.xml -newer "$jar" -print -quit 2>/dev/null)" ]]
}

if stale; then
  if ! command -v mvn >/dev/null 2>&1; then
    echo "examples: the jar is missing or out of date and mvn is not installed to build it (Debian: apt-get install maven)" >&2
    exit 2
  fi
  echo "examples: building (the first build downloads dependencies and takes a few minutes)..." >&2
  if ! (cd "$root" && mvn -B -q -DskipTests -Dspotless.check.skip=true -pl examples -am package >&2); then
    echo "examples: build failed; see the Maven output above" >&2
    exit 1
  fi
  # Maven leaves an up-to-date jar untouched; mark it fresh so the next run does not rebuild again.
  touch "$jar"
fi

# shellcheck source=../bin/lib/jvm-flags.sh
source "$root/bin/lib/jvm-flags.sh"

# Without ASPEN_LOG_LEVEL: Aspen's warnings and errors, but only errors from MicroRaft and ScaleCube
# (they warn as nodes stop, and gossip warns while the LAN beacon has found nobody yet).
level="${ASPEN_LOG_LEVEL:-warn}"
library_level="${ASPEN_LOG_LEVEL:-error}"
exec java "${ASPEN_JVM_FLAGS[@]}" "-Dorg.slf4j.simpleLogger.defaultLogLevel=$level" \
  "-Dorg.slf4j.simpleLogger.log.io.microraft=$library_level" \
  "-Dorg.slf4j.simpleLogger.log.io.scalecube=$library_level" ${ASPEN_JAVA_OPTS:-} -cp "$jar:$lib/*" "dev.aspen.examples.$name" "$@"
