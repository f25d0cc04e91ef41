#!/usr/bin/env bash
# Memory and recovery of one node holding many keys (issue #9's targets: 1M keys of 16 B + 100 B
# under 600 MB RSS; a restarted node serving reads within 10 s).
#
#   bench/memory-recovery.sh [KEYS]          default 1000000
#
# Starts one `bin/aspen node` (a single-node cluster, fsync on) in a temporary directory, writes
# KEYS distinct keys through `aspen bench get`'s fill phase (one put per key, 256 in flight),
# then prints: the fill rate, the node's VmRSS and heap, the data dir's size on disk, and the time
# from starting the process to the first successful linearizable read after (1) a clean stop
# (SIGTERM) and (2) `kill -9`. Environment: BENCH_INFLIGHT (256), ASPEN_JAVA_OPTS (passed to the
# node JVM, e.g. -Xmx), BENCH_KEEP=1 keeps the work dir (node.log) for a look afterwards. Needs curl and jq. Exit 0 when every step ran, 1 otherwise.
set -euo pipefail

keys="${1:-1000000}"
[[ "$keys" =~ ^[1-9][0-9]*$ ]] || { echo "memory-recovery.sh: KEYS must be a positive integer, got '$keys'" >&2; exit 2; }
inflight="${BENCH_INFLIGHT:-256}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/aspen-memory-recovery.XXXXXX)"
data="$work/n1"
node_pid=""

cleanup() {
  [[ -n "$node_pid" ]] && kill -9 "$node_pid" 2>/dev/null || true
  if [[ -n "${BENCH_KEEP:-}" ]]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

say() { printf 'memory-recovery: %s\n' "$*" >&2; }
now_ms() { date +%s%3N; }

start_node() { # starts the node in the background; sets node_pid
  "$root/bin/aspen" node --data-dir "$data" --no-lan >>"$work/node.log" 2>&1 &
  node_pid=$!
}

await_read() { # waits until a linearizable read of the first key answers over HTTP; fails after 120 s
  local deadline=$((SECONDS + 120))
  until [[ "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$http_url/v1/kv/$first_key")" == 200 ]]; do
    kill -0 "$node_pid" 2>/dev/null || { say "the node exited; see $work/node.log"; tail -20 "$work/node.log" >&2; exit 1; }
    ((SECONDS < deadline)) || { say "no successful read within 120 s"; exit 1; }
    sleep 0.1
  done
}

rss_mb() { awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$node_pid/status"; }

"$root/bin/aspen" --help >/dev/null # builds once, outside the timings
say "work dir $work; filling $keys keys"
start_node
deadline=$((SECONDS + 120))
until [[ -s "$data/node.json" ]] && curl -fsS --max-time 2 "$(jq -r .http_url "$data/node.json")/health" >/dev/null 2>&1; do
  kill -0 "$node_pid" 2>/dev/null || { say "the node exited; see $work/node.log"; exit 1; }
  ((SECONDS < deadline)) || { say "the node was not healthy within 120 s"; exit 1; }
  sleep 0.2
done

http_url=$(jq -r .http_url "$data/node.json") # a restart keeps its ports
fill_start=$(now_ms)
"$root/bin/aspen" bench get --data-dir "$data" --keyspace "$keys" --inflight "$inflight" --clients 4 \
  --total 1 --warmup 0s >"$work/fill.txt"
fill_ms=$(($(now_ms) - fill_start))
# The bench's keys: "bench/" then the index, zero-padded to the 16-byte key size.
bench_key() { local digits=$1; printf 'bench/%0*d' $((16 - 6)) "$digits"; }
first_key=$(bench_key 0)
last_key=$(bench_key $((keys - 1)))
"$root/bin/aspen" kv get "$last_key" --data-dir "$data" >/dev/null || { say "the last key $last_key was not written"; exit 1; }
rss_loaded=$(rss_mb)
heap=$(jcmd "$node_pid" GC.heap_info 2>/dev/null | awk '/used/ { print; exit }' || true)
disk=$(du -sm "$data" | cut -f1)

# (1) clean stop and start
kill -TERM "$node_pid"
wait "$node_pid" 2>/dev/null || true
t0=$(now_ms)
start_node
await_read
clean_ms=$(($(now_ms) - t0))
rss_restarted=$(rss_mb)

# (2) kill -9 and start
kill -9 "$node_pid"
wait "$node_pid" 2>/dev/null || true
t0=$(now_ms)
start_node
await_read
crash_ms=$(($(now_ms) - t0))

printf '%-44s %s (%s .. %s)\n' "keys written" "$keys" "$first_key" "$last_key"
printf '%-44s %s s (%s puts/s)\n' "fill time" "$((fill_ms / 1000))" "$((keys * 1000 / (fill_ms > 0 ? fill_ms : 1)))"
printf '%-44s %s MB\n' "node RSS after the fill" "$rss_loaded"
printf '%-44s %s\n' "node heap after the fill (jcmd)" "${heap:-n/a}"
printf '%-44s %s MB\n' "data dir on disk" "$disk"
printf '%-44s %s ms\n' "clean restart to first linearizable read" "$clean_ms"
printf '%-44s %s MB\n' "node RSS after the clean restart" "$rss_restarted"
printf '%-44s %s ms\n' "kill -9 restart to first linearizable read" "$crash_ms"
