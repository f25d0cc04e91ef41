#!/usr/bin/env bash
# A local Aspen cluster of real `bin/aspen node` processes on loopback, for trying operations out.
#
#   scripts/local-cluster.sh start  DIR [I]   first start: nodes 1-3 form the cluster with
#                                             --bootstrap-expect 3, nodes 4 and 5 join with its
#                                             ticket; later: restart every stopped node (or node I)
#                                             from its data dir. A new I (6, 7) joins by ticket.
#   scripts/local-cluster.sh stop   DIR [I]   SIGTERM every node (or node I) and wait until it exits
#   scripts/local-cluster.sh status DIR       one line per node: pid, HTTP URL, role
#
# Node I keeps its data in DIR/nI and its log in DIR/nI.log; DIR/nI.pid holds its process id.
# The cluster's cookie is made once and kept in DIR/cookie (mode 0600). NODES=N (3 to 7, default
# 5) sets how many nodes the first start makes. The LAN beacon is off: nodes find each other by
# --peers and the ticket only, so several local clusters can run side by side.
# Needs curl, jq and ss. Exit status: 0 done, 1 a node did not come up or stop in time, 2 bad usage.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
aspen="$root/bin/aspen"
timeout_s=${LOCAL_CLUSTER_TIMEOUT:-120}

usage() { echo "usage: scripts/local-cluster.sh start|stop|status DIR [NODE]" >&2; exit 2; }
say() { printf 'local-cluster: %s\n' "$*"; }
fail() { say "$*" >&2; exit 1; }
fail_node() { # fail_node I MESSAGE: fail, showing the end of node I's log (what CI output keeps)
  say "$2; the end of $dir/n$1.log:" >&2
  tail -n 25 "$dir/n$1.log" >&2 2>/dev/null || true
  exit 1
}

[[ $# -ge 2 && $# -le 3 ]] || usage
cmd=$1 dir=$(realpath -m -- "$2") only=${3:-}
[[ -z "$only" || "$only" =~ ^[1-7]$ ]] || { echo "local-cluster: NODE must be 1 to 7, got '$only'" >&2; exit 2; }
nodes=${NODES:-5}
[[ "$nodes" =~ ^[3-7]$ ]] || { echo "local-cluster: NODES must be 3 to 7, got '$nodes'" >&2; exit 2; }

pid_of() { # the pid of node I if that process is running as node I, else nothing
  local file="$dir/n$1.pid" pid
  [[ -f "$file" ]] || return 1
  pid=$(<"$file")
  [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--data-dir $dir/n$1 " &&
    echo "$pid"
}
known_nodes() { for i in 1 2 3 4 5 6 7; do [[ -d "$dir/n$i" ]] && echo "$i"; done; return 0; }
http_url() { jq -r '.http_url // empty' "$dir/n$1/node.json" 2>/dev/null; }
healthy() { local url; url=$(http_url "$1") && [[ -n "$url" ]] && curl -fsS --max-time 3 "$url/health" >/dev/null 2>&1; }

# Ports below the kernel's ephemeral range: one picked inside it can be taken by an outgoing
# connection (gossip's TCP, a QUIC dial) between the pick and a node's bind, seconds later.
ephemeral_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
if (( ephemeral_low > 12000 )); then port_low=10000; port_span=$((ephemeral_low - 10000)); else port_low=20000; port_span=30000; fi
port_free() { [[ -z "$(ss -Htuln "sport = :$1" 2>/dev/null)" ]]; }
taken=" "
pick_port() { # a port free for UDP and TCP, not handed out before in this run
  local p
  while :; do
    p=$((port_low + RANDOM % port_span))
    if port_free "$p" && [[ "$taken" != *" $p "* ]]; then taken+="$p "; echo "$p"; return; fi
  done
}

launch() { # launch I FLAGS...: start node I in the background, detached from this shell
  local i=$1; shift
  mkdir -p "$dir/n$i"
  ASPEN_COOKIE=$(<"$dir/cookie") setsid "$aspen" node --data-dir "$dir/n$i" --no-lan "$@" \
    >>"$dir/n$i.log" 2>&1 </dev/null &
  echo $! >"$dir/n$i.pid"
}

await_healthy() { # await_healthy I...: every node answers /health with 200
  local deadline=$((SECONDS + timeout_s)) i
  for i in "$@"; do
    until healthy "$i"; do
      pid_of "$i" >/dev/null || fail_node "$i" "node $i exited"
      ((SECONDS < deadline)) || fail_node "$i" "node $i not healthy within ${timeout_s}s"
      sleep 0.3
    done
  done
}

any_ticket() { # the ticket of the first healthy node
  local i
  for i in $(known_nodes); do
    healthy "$i" && { curl -fsS --max-time 5 "$(http_url "$i")/v1/ticket" | jq -r .ticket; return; }
  done
  fail "no healthy node to get a ticket from"
}

start_fresh_cluster() {
  mkdir -p "$dir"
  (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$dir/cookie")
  local -a quic http
  local i seeds=""
  for i in $(seq 1 "$nodes"); do quic[i]=$(pick_port); http[i]=$(pick_port); done
  for i in 1 2 3; do seeds+="${seeds:+,}127.0.0.1:${quic[i]}"; done
  say "starting nodes 1-3 with --bootstrap-expect 3 in $dir"
  for i in 1 2 3; do
    launch "$i" --bootstrap-expect 3 --peers "$seeds" \
      --quic-port "${quic[i]}" --gossip-port "${quic[i]}" --http-port "${http[i]}"
  done
  await_healthy 1 2 3
  if ((nodes > 3)); then
    local ticket
    ticket=$(any_ticket)
    say "joining nodes 4-$nodes with the ticket"
    for i in $(seq 4 "$nodes"); do
      launch "$i" --ticket "$ticket" --quic-port "${quic[i]}" --gossip-port "${quic[i]}" --http-port "${http[i]}"
    done
    await_healthy $(seq 4 "$nodes")
  fi
}

start() {
  if [[ ! -f "$dir/cookie" ]]; then
    [[ -z "$only" ]] || usage
    start_fresh_cluster
  else
    local -a todo=()
    local i
    for i in ${only:-$(known_nodes)}; do pid_of "$i" >/dev/null || todo+=("$i"); done
    ((${#todo[@]})) || { say "already running"; status; return; }
    for i in "${todo[@]}"; do
      if [[ -f "$dir/n$i/node.json" ]]; then
        say "restarting node $i from $dir/n$i"
        launch "$i"
      else
        say "node $i joins with the ticket"
        launch "$i" --ticket "$(any_ticket)"
      fi
    done
    await_healthy "${todo[@]}"
  fi
  status
}

stop() {
  local i pid deadline
  for i in ${only:-$(known_nodes)}; do
    pid=$(pid_of "$i") || continue
    kill -TERM "$pid"
    deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null; do
      ((SECONDS < deadline)) || { kill -KILL "$pid" 2>/dev/null || true; fail "node $i (pid $pid) ignored SIGTERM for 30 s; killed"; }
      sleep 0.2
    done
    rm -f "$dir/n$i.pid"
    say "node $i stopped"
  done
}

status() {
  local i pid url role
  for i in $(known_nodes); do
    url=$(http_url "$i")
    if pid=$(pid_of "$i"); then
      role=$(curl -fsS --max-time 3 "$url/v1/cluster" 2>/dev/null | jq -r .role) || role="not answering"
      printf 'n%s  pid %-7s  %-24s  %s\n' "$i" "$pid" "$url" "$role"
    else
      printf 'n%s  stopped      %-24s\n' "$i" "$url"
    fi
  done
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) [[ -z "$only" ]] || usage; status ;;
  *) usage ;;
esac
