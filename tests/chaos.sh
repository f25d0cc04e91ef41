#!/usr/bin/env bash
# The chaos suite on real node processes (dev.aspen.tests.chaos.ChaosTest), bounded or long.
#   tests/chaos.sh                       the CI run: 3 nodes, the CI faults once each, at least 40 s
#   tests/chaos.sh --long 30m            every fault, then more until 30 minutes have passed
#   tests/chaos.sh --long 1h --nodes 5 --seed 1234
#   tests/chaos.sh --no-partitions       no partitions (nodes without --fault-injection)
# Prints the summary: operations, faults injected, anomalies (must be 0), acknowledged writes lost
# (must be 0). Reports (summary.txt, history.txt, anomalies.txt on failure) are kept in
# tests/target/chaos/seed-<seed>/. Exit status 0 only when every check passed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage() { echo "usage: tests/chaos.sh [--long DURATION (e.g. 90s, 30m, 2h)] [--nodes 3|5] [--seed N] [--no-partitions]" >&2; exit 2; }

duration=40s long=false nodes=3 partitions=true seed=$(( (RANDOM << 30) | (RANDOM << 15) | RANDOM ))
while (($#)); do
  case "$1" in
    --long) (($# >= 2)) || usage; duration=$2; long=true; shift 2 ;;
    --nodes) (($# >= 2)) || usage; nodes=$2; shift 2 ;;
    --seed) (($# >= 2)) || usage; seed=$2; shift 2 ;;
    --no-partitions) partitions=false; shift ;;
    *) usage ;;
  esac
done
[[ "$duration" =~ ^[0-9]+[smh]$ ]] || { echo "tests/chaos.sh: --long must be a number with s, m or h, got '$duration'" >&2; exit 2; }
[[ "$nodes" =~ ^[35]$ ]] || { echo "tests/chaos.sh: --nodes must be 3 or 5, got '$nodes'" >&2; exit 2; }
[[ "$seed" =~ ^[0-9]+$ ]] || { echo "tests/chaos.sh: --seed must be a positive number, got '$seed'" >&2; exit 2; }

cd "$root"
"$root/bin/aspen" --version >/dev/null   # the nodes' jar, built once before the clock starts
status=0
mvn -B -q -o -pl tests -am test -Dtest=ChaosTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Daspen.chaos.duration="$duration" -Daspen.chaos.nodes="$nodes" -Daspen.chaos.seed="$seed" \
  -Daspen.chaos.long="$long" -Daspen.chaos.partitions="$partitions" || status=$?
summary="$root/tests/target/chaos/seed-$seed/summary.txt"
if [[ -f "$summary" ]]; then
  cat "$summary"
else
  echo "tests/chaos.sh: no summary at $summary: the run did not get to its checks; see tests/target/surefire-reports/" >&2
fi
exit "$status"
