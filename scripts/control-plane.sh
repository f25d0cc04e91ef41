#!/usr/bin/env bash
# Drives a running Aspen cluster through the routes of the earlier Aspen HTTP control plane, the
# way its scripts (aspen-cluster-raft-smoke.sh) did with curl and jq: /node-info, /init,
# /add-learner, /change-membership, /write, /read, /leader, /raft-metrics, /cluster-ticket,
# /state, /trigger-snapshot. See docs/http-api.md, "Compatibility with the earlier control plane".
#
#   scripts/control-plane.sh URL...     the HTTP URLs of the nodes, e.g. http://127.0.0.1:8080
#   scripts/control-plane.sh DIR        the nodes of a scripts/local-cluster.sh cluster in DIR
#
# Steps: read every node's id (/node-info); confirm the formed cluster with /init (Aspen nodes
# form it themselves, so /init confirms instead of forming); add as learners the given nodes that
# are not members yet (/add-learner; nodes started with a ticket or --peers have usually joined
# already); make every given node a voter (/change-membership, as the earlier scripts did); write
# through every node (/write) and read every key back through every node (/read); show /leader,
# /raft-metrics, /cluster-ticket and /state; snapshot every node (/trigger-snapshot).
# Set ASPEN_HTTP_TOKEN when the nodes require a bearer token. Needs curl and jq.
# Prints "control-plane: ok" and exits 0 when every step answered as expected, else exits 1.
set -euo pipefail

usage() { echo "usage: scripts/control-plane.sh URL... | DIR" >&2; exit 2; }
say() { printf 'control-plane: %s\n' "$*"; }
fail() { say "FAILED: $*" >&2; exit 1; }
(($#)) || usage

urls=()
if (($# == 1)) && [[ -d "$1" ]]; then
  for f in "$1"/n*/node.json; do
    [[ -f "$f" ]] && urls+=("$(jq -r .http_url "$f")")
  done
  ((${#urls[@]})) || fail "no node.json under $1/n*/: is it a scripts/local-cluster.sh directory?"
else
  for u in "$@"; do [[ "$u" =~ ^https?://[^/]+$ ]] || { echo "control-plane: not a node URL: '$u'" >&2; exit 2; }; done
  urls=("$@")
fi

auth=()
[[ -n "${ASPEN_HTTP_TOKEN:-}" ]] && auth=(-H "Authorization: Bearer $ASPEN_HTTP_TOKEN")
# call METHOD URL [JSON]: the answer body on 2xx, else fail naming the call and the answer.
call() {
  local method=$1 url=$2 body=${3:-} out status
  out=$(mktemp)
  status=$(curl -sS --max-time 30 -o "$out" -w '%{http_code}' -X "$method" "${auth[@]}" \
    -H 'Content-Type: application/json' ${body:+--data-binary "$body"} "$url") || status=000
  if [[ "$status" != 2* ]]; then
    fail "$method $url ${body:+$body }answered $status: $(cat "$out")"
  fi
  cat "$out"; rm -f "$out"
}
# retry SECONDS COMMAND...: run COMMAND until it succeeds, at most SECONDS (membership settles).
retry() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" 2>/dev/null; do ((SECONDS < deadline)) || { "$@"; return; }; sleep 0.5; done
}

declare -A id_of raft_of
ids=()
for u in "${urls[@]}"; do
  info=$(call GET "$u/node-info")
  id_of[$u]=$(jq -r .node_id <<<"$info")
  raft_of[$u]=$(jq -r .endpoint_addr <<<"$info")
  ids+=("${id_of[$u]}")
  say "node $u is ${id_of[$u]} (QUIC ${raft_of[$u]})"
done
first=${urls[0]}

state=$(retry 60 call POST "$first/init" '{}')
say "init: cluster confirmed, voters $(jq -c '[.members[] | .[0:8]]' <<<"$state")"
call POST "$first/init" "$(jq -c '{members: .members}' <<<"$state")" >/dev/null
say "leader: $(call GET "$first/leader" | jq -r .leader)"

for u in "${urls[@]}"; do
  id=${id_of[$u]}
  if ! jq -e --arg id "$id" '(.members | index($id)) or any(.learners[]; .id == $id)' <<<"$state" >/dev/null; then
    say "add-learner ${id:0:8} at ${raft_of[$u]}"
    state=$(retry 60 call POST "$first/add-learner" "{\"learner\":{\"id\":\"$id\",\"addr\":\"${u#http://}\",\"raft_addr\":\"${raft_of[$u]}\"}}")
  fi
done

members=$(printf '%s\n' "${ids[@]}" | jq -R . | jq -cs .)
state=$(retry 120 call POST "$first/change-membership" "{\"members\":$members}")
voters=$(jq '.members | length' <<<"$state")
[[ "$voters" -ge "${#ids[@]}" ]] || fail "change-membership left $voters voters, expected ${#ids[@]}"
say "change-membership: every given node is a voter ($voters voters)"

run=$RANDOM
for u in "${urls[@]}"; do
  call POST "$u/write" "{\"command\":{\"Set\":{\"key\":\"cp/$run/${id_of[$u]:0:8}\",\"value\":\"from ${u#http://}\"}}}" >/dev/null
done
call POST "$first/write" "{\"command\":{\"SetMulti\":{\"pairs\":[[\"cp/$run/a\",\"1\"],[\"cp/$run/b\",\"2\"]]}}}" >/dev/null
for u in "${urls[@]}"; do
  for v in "${urls[@]}"; do
    got=$(call POST "$u/read" "{\"key\":\"cp/$run/${id_of[$v]:0:8}\"}" | jq -r .value)
    [[ "$got" == "from ${v#http://}" ]] || fail "read through $u of the write through $v gave '$got'"
  done
  [[ "$(call POST "$u/read" "\"cp/$run/b\"" | jq -r .value)" == 2 ]] || fail "read of cp/$run/b through $u"
done
say "write/read: ${#urls[@]} writes and a SetMulti, every key read back through every node"

for u in "${urls[@]}"; do
  call GET "$u/raft-metrics" | jq -c '{node: .node_id[0:8], state, term: .current_term, commit: .commit_index, applied: .last_applied.index}'
done
ticket=$(call GET "$first/cluster-ticket" | jq -r .ticket)
[[ "$ticket" == aspen* ]] || fail "/cluster-ticket gave no ticket"
say "cluster-ticket: ${ticket:0:40}..."
call GET "$first/state" | jq -c '{voters: (.members | length), learners: (.learners | length)}'
for u in "${urls[@]}"; do
  say "trigger-snapshot on $u: index $(call POST "$u/trigger-snapshot" | jq .snapshot.index)"
done
say "ok"
