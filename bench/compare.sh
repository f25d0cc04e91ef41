#!/usr/bin/env bash
# Aspen and etcd side by side on this machine: a 3-node Aspen cluster and a 3-member etcd cluster on
# loopback (both with fsync on, their defaults), the same workloads driven by the same Java load
# generator (dev.aspen.bench.BenchMain; etcd through jetcd), one table at the end. Measures; decides
# nothing. Installs nothing.
#
# Usage: bench/compare.sh
# Workloads use 4 client connections (1 for put-1), 10k keys, 16 B keys and 100 B values unless named.
# Environment:
#   BENCH_DURATION  measured time per workload and system (default 10s)
#   BENCH_WARMUP    warm-up per workload and system, not measured (default 2s)
#   BENCH_SERVER_WARMUP
#                   before the first workload, each system serves a 50/50 put/get mix for this long,
#                   not measured (default 60s; 0 = none), so that the Aspen nodes' JIT has compiled
#                   the request paths as a long-running server's has: put-1 went from 3.5 ms p50 on
#                   cold nodes to 1.2-1.4 ms on warm ones; etcd (Go) has no JIT but gets the same run
#   BENCH_ASPEN     nodes (default): three `bin/aspen node` processes;
#                   inprocess: three ReplicaNodes in one JVM (dev.aspen.bench.InProcessCluster)
#   BENCH_ONLY      run only the workloads whose names match this regex (e.g. 'put-(1|16)$')
#   BENCH_RESULTS   where the JSON results go, one line per run (default bench/target/compare.jsonl)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
duration="${BENCH_DURATION:-10s}"
warmup="${BENCH_WARMUP:-2s}"
server_warmup="${BENCH_SERVER_WARMUP:-60s}"
aspen_mode="${BENCH_ASPEN:-nodes}"
only="${BENCH_ONLY:-.}"
results="${BENCH_RESULTS:-$root/bench/target/compare.jsonl}"
cookie="bench-$RANDOM$RANDOM"

for tool in etcd etcdctl jq curl java mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "compare.sh: $tool not found." >&2
    echo "  etcd 3.4 on Debian: apt-get install -y etcd-server etcd-client; also needs jq, curl, a JDK 17+ and maven" >&2
    exit 2
  fi
done
case "$aspen_mode" in nodes | inprocess) ;; *)
  echo "compare.sh: BENCH_ASPEN must be nodes or inprocess, got '$aspen_mode'" >&2
  exit 2
  ;;
esac

echo "compare.sh: building the bench module..." >&2
mvn -B -q -pl bench -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test >&2
# shellcheck source=../bin/lib/jvm-flags.sh
source "$root/bin/lib/jvm-flags.sh"
classpath="bench/target/test-classes:bench/target/classes:$(cat bench/target/cp.txt)"

work="$(mktemp -d /tmp/aspen-compare.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# --- etcd: three members, default fsync ----------------------------------------------------------
etcd_endpoints=""
initial=""
for i in 1 2 3; do
  initial+="${initial:+,}e$i=http://127.0.0.1:$((23800 + i))"
  etcd_endpoints+="${etcd_endpoints:+,}http://127.0.0.1:$((23790 + i))"
done
etcd_pids=()
for i in 1 2 3; do
  etcd --name "e$i" --data-dir "$work/etcd/e$i" \
    --listen-client-urls "http://127.0.0.1:$((23790 + i))" --advertise-client-urls "http://127.0.0.1:$((23790 + i))" \
    --listen-peer-urls "http://127.0.0.1:$((23800 + i))" --initial-advertise-peer-urls "http://127.0.0.1:$((23800 + i))" \
    --initial-cluster "$initial" --initial-cluster-token bench --initial-cluster-state new \
    --logger zap >"$work/etcd-e$i.log" 2>&1 &
  pids+=("$!")
  etcd_pids+=("$!")
done

# --- Aspen: three nodes ---------------------------------------------------------------------------
aspen_pids=()
if [[ "$aspen_mode" == nodes ]]; then
  gossip_peers="127.0.0.1:24101,127.0.0.1:24102,127.0.0.1:24103"
  for i in 1 2 3; do
    ASPEN_COOKIE="$cookie" "$root/bin/aspen" node --data-dir "$work/aspen/n$i" --bootstrap-expect 3 --no-lan \
      --peers "$gossip_peers" --quic-port $((24000 + i)) --gossip-port $((24100 + i)) \
      --http-port $((24200 + i)) >"$work/aspen-n$i.log" 2>&1 &
    pids+=("$!")
    aspen_pids+=("$!")
  done
else
  mkdir -p "$work/aspen"
  ASPEN_COOKIE="$cookie" java "${ASPEN_JVM_FLAGS[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$classpath" dev.aspen.bench.InProcessCluster "$work/aspen" >"$work/aspen-inprocess.log" 2>&1 &
  pids+=("$!")
  aspen_pids+=("$!")
fi

wait_for() { # DESCRIPTION SECONDS COMMAND...
  local what="$1" seconds="$2"
  shift 2
  for ((tries = 0; tries < seconds * 5; tries++)); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  echo "compare.sh: $what not ready after ${seconds}s; logs in $work" >&2
  trap - EXIT
  cleanup_keep_logs
  exit 1
}
cleanup_keep_logs() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  echo "compare.sh: kept $work for its logs" >&2
}
aspen_leader() {
  local i
  for i in 1 2 3; do
    [[ "$(curl -fsS --max-time 2 "http://127.0.0.1:$((24200 + i))/v1/cluster" | jq -r .leader)" != null ]] || return 1
  done
}

wait_for "etcd" 60 etcdctl --dial-timeout 1s --command-timeout 2s --endpoints "$etcd_endpoints" endpoint health
if [[ "$aspen_mode" == nodes ]]; then
  wait_for "aspen nodes (/v1/cluster with a leader)" 120 aspen_leader
  # node.json is written once the node's start returns, a moment after its HTTP API answers.
  wait_for "aspen node.json" 30 test -s "$work/aspen/n1/node.json"
  ticket="$(jq -r .ticket "$work/aspen/n1/node.json")"
else
  wait_for "in-process aspen cluster" 120 test -s "$work/aspen/ticket"
  ticket="$(cat "$work/aspen/ticket")"
fi

rss_mb() { # PID -> resident MB now
  awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"
}
rss_list() { # PIDS... -> "a/b/c"
  local out="" pid
  for pid in "$@"; do out+="${out:+/}$(rss_mb "$pid")"; done
  echo "$out"
}

# --- the workloads --------------------------------------------------------------------------------
workloads=(
  "put-1|put --inflight 1 --clients 1"
  "put-16|put --inflight 16 --clients 4"
  "put-64|put --inflight 64 --clients 4"
  "put-256|put --inflight 256 --clients 4"
  "get-linearizable-64|get --inflight 64 --clients 4 --consistency linearizable"
  "get-stale-64|get --inflight 64 --clients 4 --consistency stale"
  "put-4KiB-64|put --inflight 64 --clients 4 --value-size 4096"
  "mixed-90/10-64|mixed --inflight 64 --clients 4 --read-ratio 0.9"
)
mkdir -p "$(dirname "$results")"
: >"$results"
run() { # SYSTEM NAME ARGS...
  local system="$1" name="$2"
  shift 2
  local target=(--ticket "$ticket" --cookie "$cookie")
  [[ "$system" == etcd ]] && target=(--endpoints "$etcd_endpoints")
  echo "compare.sh: $system $name" >&2
  if ! java "${ASPEN_JVM_FLAGS[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" \
    dev.aspen.bench.BenchMain "$@" --system "$system" "${target[@]}" --json \
    --keyspace 10000 --duration "$duration" --warmup "$warmup" \
    2>>"$work/bench.log" | jq -c --arg name "$name" '. + {name: $name}' >>"$results"; then
    echo "{\"name\":\"$name\",\"target\":\"$system\",\"failed\":true}" >>"$results"
  fi
}

if [[ "$server_warmup" != 0 && "$server_warmup" != 0s ]]; then
  for system in aspen etcd; do
    target=(--ticket "$ticket" --cookie "$cookie")
    [[ "$system" == etcd ]] && target=(--endpoints "$etcd_endpoints")
    echo "compare.sh: warming up $system for $server_warmup (not measured)" >&2
    java "${ASPEN_JVM_FLAGS[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" \
      dev.aspen.bench.BenchMain mixed --read-ratio 0.5 --inflight 16 --clients 4 --system "$system" "${target[@]}" \
      --json --keyspace 10000 --duration "$server_warmup" --warmup 0 >/dev/null 2>>"$work/bench.log" ||
      echo "compare.sh: the $system warm-up failed (see the bench log); measuring anyway" >&2
  done
fi

rows=()
for entry in "${workloads[@]}"; do
  name="${entry%%|*}"
  read -r -a args <<<"${entry#*|}"
  [[ "$name" =~ $only ]] || continue
  run aspen "$name" "${args[@]}"
  aspen_rss="$(rss_list "${aspen_pids[@]}")"
  run etcd "$name" "${args[@]}"
  etcd_rss="$(rss_list "${etcd_pids[@]}")"
  rows+=("$name|$aspen_rss|$etcd_rss")
done

# --- the table ------------------------------------------------------------------------------------
field() { # NAME SYSTEM JQ-EXPR
  jq -r --arg n "$1" --arg s "$2" "select(.name == \$n and .target == \$s) | $3" "$results" | head -1
}
echo
echo "Aspen ($aspen_mode) vs etcd $(etcd --version | sed -n 's/^etcd Version: //p'), $(nproc) cores, ${duration} per run after ${warmup} warm-up; servers warmed up ${server_warmup} first"
printf '%-20s %10s %10s %6s  %17s  %17s  %-14s %-14s\n' workload "aspen op/s" "etcd op/s" ratio \
  "aspen p50/p99 ms" "etcd p50/p99 ms" "aspen RSS MB" "etcd RSS MB"
for row in "${rows[@]}"; do
  IFS='|' read -r name aspen_rss etcd_rss <<<"$row"
  a_ops="$(field "$name" aspen '.ops_per_s // "failed"')"
  e_ops="$(field "$name" etcd '.ops_per_s // "failed"')"
  ratio="$(jq -rn --arg a "$a_ops" --arg e "$e_ops" \
    'if ($a|test("^[0-9.]+$")) and ($e|test("^[0-9.]+$")) and ($e|tonumber) > 0
     then (($a|tonumber) / ($e|tonumber) * 100 | round / 100) else "-" end')"
  a_lat="$(field "$name" aspen '"\(.latency_ms.p50)/\(.latency_ms.p99)"')"
  e_lat="$(field "$name" etcd '"\(.latency_ms.p50)/\(.latency_ms.p99)"')"
  printf '%-20s %10.10s %10.10s %6s  %17s  %17s  %-14s %-14s\n' "$name" "${a_ops%.*}" "${e_ops%.*}" "$ratio" \
    "${a_lat:--}" "${e_lat:--}" "$aspen_rss" "$etcd_rss"
done
if [[ "$aspen_mode" == inprocess ]]; then
  echo "(aspen RSS: one JVM holding all three replicas; etcd RSS: per member)"
fi
errors="$(jq -rc 'select(.errors > 0) | "\(.target) \(.name): \(.error_codes)"' "$results" | paste -sd ';' -)"
echo "errors: ${errors:-none}"
echo "JSON results: $results"
