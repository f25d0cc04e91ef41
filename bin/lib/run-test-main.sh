#!/usr/bin/env bash
# Runs a main class from a module's test sources (the benchmarks) with the module's test class path
# and the Chronicle flags. Usage: bin/lib/run-test-main.sh MODULE CLASS [args...]
# Extra JVM options go in BENCH_JAVA_OPTS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
module="$1"
main="$2"
shift 2
cd "$root"
mvn -B -q -pl "$module" -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test >/dev/null
# shellcheck source=jvm-flags.sh
source "$root/bin/lib/jvm-flags.sh"
# shellcheck disable=SC2086
exec java "${ASPEN_JVM_FLAGS[@]}" ${BENCH_JAVA_OPTS:-} \
  -cp "$module/target/test-classes:$module/target/classes:$(cat "$module/target/cp.txt")" "$main" "$@"
