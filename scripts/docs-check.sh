#!/usr/bin/env bash
# Runs the commands the docs show, so the docs cannot drift from what Aspen does.
#
#   scripts/docs-check.sh [--list] [DOC...]    default: every doc in DOCS below, in that order
#
# Convention (docs/development.md, "Commands in the docs"): every ```sh block in a checked doc is
# preceded by one of these HTML comments, which the rendered page does not show:
#   <!-- docs-check: run -->               run the block's commands, in order
#   <!-- docs-check: background TEXT -->   the block is one long-running command (what a reader
#                                          runs in another terminal): start it, wait until its
#                                          output shows TEXT, go on; it is stopped with SIGTERM
#                                          (what Ctrl-C does) at the next "stop" or the doc's end
#   <!-- docs-check: stop -->              SIGTERM every background command of this doc, wait
#   <!-- docs-check: skip REASON -->       not run in CI, for the reason given (a real LAN, the
#                                          test command itself, ...)
# A block whose lines start with "$ " is a transcript: the "$ " lines (and lines continuing them
# with a trailing backslash) are the commands, the other lines their output, not compared (ids,
# ports and times differ every run). In other blocks every line that is not blank or a comment is
# a command. A ```sh block without a marker is an error, so a new command cannot go unchecked.
#
# Each doc runs in its own fresh directory (DOCS_CHECK_WORK, default a new temp dir) holding
# bin/aspen and scripts/*.sh, which run this checkout's; commands run one after another in one
# bash shell with pipefail, so variables carry from block to block. The first command that exits
# non-zero stops the check with "docs-check: FAILED DOC:LINE: COMMAND (exit N)" and exit status 1.
# Every node a doc started (background commands, scripts/local-cluster.sh clusters) is stopped at
# the doc's end. Prints "docs-check: ok" when every command passed.
set -uo pipefail
__dc_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DOCS=(README.md docs/getting-started.md docs/operations.md docs/troubleshooting.md)

__dc_list=false
[[ "${1:-}" == --list ]] && { __dc_list=true; shift; }
(($#)) && DOCS=("$@")
__dc_work_root="${DOCS_CHECK_WORK:-$(mktemp -d /tmp/aspen-docs-check.XXXXXX)}"

__dc_say() { printf 'docs-check: %s\n' "$*"; }

# Parses DOC into __dc_kinds/__dc_lines/__dc_cmds (kind: run, background, stop or skip).
__dc_parse() {
  local doc=$1 n=0 marker="" in_block=false block_kind="" transcript=false pending="" pending_line=0 line
  local -a block=() block_nos=()
  __dc_kinds=() __dc_lines=() __dc_cmds=() __dc_args=()
  while IFS= read -r line || [[ -n "$line" ]]; do
    n=$((n + 1))
    if ! $in_block; then
      if [[ "$line" =~ ^\<!--\ docs-check:\ (run|background|stop|skip)(\ (.*))?\ --\>$ ]]; then
        marker=${BASH_REMATCH[1]}
        __dc_marker_arg=${BASH_REMATCH[3]}
        if [[ "$marker" == stop ]]; then
          __dc_kinds+=(stop) __dc_lines+=("$n") __dc_cmds+=("") __dc_args+=(""); marker=""
        fi
      elif [[ "$line" =~ ^\`\`\`(sh|bash|console|shell)[[:space:]]*$ ]]; then
        [[ -n "$marker" ]] || { __dc_say "FAILED $doc:$n: a \`\`\`${BASH_REMATCH[1]} block without a <!-- docs-check: ... --> marker"; return 1; }
        in_block=true block_kind=$marker block=() block_nos=() marker=""
      elif [[ -n "$marker" && -n "$line" ]]; then
        __dc_say "FAILED $doc:$n: the docs-check marker above is not followed by a \`\`\`sh block"; return 1
      fi
      continue
    fi
    if [[ "$line" == '```' ]]; then
      in_block=false
      [[ "$block_kind" == skip ]] && continue
      transcript=false
      local l
      for l in "${block[@]}"; do [[ "$l" == '$ '* ]] && transcript=true; done
      local i text
      pending="" pending_line=0
      for i in "${!block[@]}"; do
        text=${block[i]}
        if [[ -z "$pending" ]]; then
          if $transcript; then
            [[ "$text" == '$ '* ]] || continue
            text=${text#'$ '}
          fi
          [[ -z "${text// /}" || "$text" =~ ^[[:space:]]*# ]] && continue
          pending_line=${block_nos[i]}
        fi
        if [[ "$text" == *'\' ]]; then
          pending+="${text%\\}"$'\n'
          continue
        fi
        pending+="$text"
        __dc_kinds+=("$block_kind") __dc_lines+=("$pending_line") __dc_cmds+=("$pending") __dc_args+=("$__dc_marker_arg")
        pending=""
      done
      continue
    fi
    block+=("$line") block_nos+=("$n")
  done <"$doc"
  $in_block && { __dc_say "FAILED $doc: a code block is not closed"; return 1; }
  return 0
}

__dc_bg_pids=()
__dc_stop_background() {
  local pid deadline
  for pid in "${__dc_bg_pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done
  for pid in "${__dc_bg_pids[@]}"; do
    deadline=$((SECONDS + 40))
    while kill -0 -- "-$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null
  done
  __dc_bg_pids=()
}
__dc_stop_everything() {
  __dc_stop_background
  local cluster
  for cluster in "$__dc_work"/*/cookie "$__dc_work"/cookie; do
    [[ -f "$cluster" ]] && compgen -G "$(dirname "$cluster")/n*.pid" >/dev/null &&
      "$__dc_root/scripts/local-cluster.sh" stop "$(dirname "$cluster")" >/dev/null 2>&1
  done
  return 0
}

__dc_fresh_dir() { # a work dir whose bin/aspen and scripts/ run this checkout's
  mkdir -p "$1/bin" "$1/scripts"
  printf '#!/usr/bin/env bash\nexec %q "$@"\n' "$__dc_root/bin/aspen" >"$1/bin/aspen"
  local s
  for s in "$__dc_root"/scripts/*.sh; do
    printf '#!/usr/bin/env bash\nexec %q "$@"\n' "$s" >"$1/scripts/$(basename "$s")"
  done
  chmod +x "$1/bin/aspen" "$1"/scripts/*.sh
}

__dc_fail() { __dc_say "FAILED $1"; __dc_reported=yes; __dc_stop_everything; exit 1; }
__dc_on_exit() { # a doc command that ran "exit" ends this shell: report it as that command's failure
  [[ -n "${__dc_reported:-}" ]] || __dc_say "FAILED ${__dc_where:-?}: ${__dc_cmd:-?} (it exited the shell)"
  __dc_stop_everything
}

__dc_total=0
for __dc_doc in "${DOCS[@]}"; do
  __dc_parse "$__dc_root/$__dc_doc" || exit 1
  if $__dc_list; then
    for __dc_i in "${!__dc_cmds[@]}"; do
      printf '%s:%s: %s %s\n' "$__dc_doc" "${__dc_lines[__dc_i]}" "${__dc_kinds[__dc_i]}" "${__dc_cmds[__dc_i]}"
    done
    continue
  fi
  __dc_work="$__dc_work_root/$(basename "$__dc_doc" .md)"
  rm -rf "$__dc_work"
  __dc_fresh_dir "$__dc_work"
  cd "$__dc_work" || exit 1
  __dc_say "$__dc_doc: ${#__dc_cmds[@]} commands in $__dc_work"
  __dc_start=$SECONDS
  trap '__dc_on_exit' EXIT
  set -a # variables a command sets reach background commands (run by a new bash) too
  for __dc_i in "${!__dc_cmds[@]}"; do
    __dc_cmd=${__dc_cmds[__dc_i]}
    __dc_where="$__dc_doc:${__dc_lines[__dc_i]}"
    case "${__dc_kinds[__dc_i]}" in
      stop)
        printf '\n[%s] (stop the background commands)\n' "$__dc_where"
        __dc_stop_background
        ;;
      background)
        printf '\n[%s] $ %s &   (until "%s")\n' "$__dc_where" "$__dc_cmd" "${__dc_args[__dc_i]}"
        __dc_log="$__dc_work/background-${__dc_lines[__dc_i]}.log"
        setsid bash -c "$__dc_cmd" >"$__dc_log" 2>&1 </dev/null &
        __dc_bg_pids+=($!)
        __dc_deadline=$((SECONDS + ${DOCS_CHECK_BACKGROUND_TIMEOUT:-180}))
        until grep -qF -- "${__dc_args[__dc_i]}" "$__dc_log"; do
          if ! kill -0 "${__dc_bg_pids[-1]}" 2>/dev/null || ((SECONDS >= __dc_deadline)); then
            cat "$__dc_log"
            __dc_fail "$__dc_where: $__dc_cmd (did not print \"${__dc_args[__dc_i]}\")"
          fi
          sleep 0.5
        done
        cat "$__dc_log"
        ;;
      run)
        printf '\n[%s] $ %s\n' "$__dc_where" "$__dc_cmd"
        eval "$__dc_cmd" </dev/null
        __dc_rc=$?
        ((__dc_rc == 0)) || __dc_fail "$__dc_where: $__dc_cmd (exit $__dc_rc)"
        ;;
    esac
  done
  set +a
  __dc_stop_everything
  trap - EXIT
  cd "$__dc_root" || exit 1
  __dc_total=$((__dc_total + ${#__dc_cmds[@]}))
  __dc_say "$__dc_doc: ok ($((SECONDS - __dc_start)) s)"
done
$__dc_list || __dc_say "ok ($__dc_total commands)"
