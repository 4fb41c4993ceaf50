#!/usr/bin/env bash
# Benchmarks the cost of --verify's heap tracking (docs/verify.md, "State behind pointers"), all in
# one run, alternating configurations round by round so machine noise hits them alike:
#   hello app:       --verify --verify-heap-limit=0 (heap tracking off) vs --verify (on, default)
#   10 MB heap app:  the same two, GET / (reads the heap behind a global, changes nothing)
#   10 MB heap app:  without --verify, for scale
#
# Usage: tests/bench/verify_heap_bench.sh [BUILD_DIR]  (env: DURATION=5s CONNECTIONS=50 ROUNDS=2 KIND=event)
# Needs: wrk and a built tree (targets forksafe-serve hello verify_big_heap). Listens on 127.0.0.1
# only; every server is stopped on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
duration=${DURATION:-5s}
connections=${CONNECTIONS:-50}
rounds=${ROUNDS:-2}
kind=${KIND:-event}
serve=$build/runtime/forksafe-serve
hello=$build/runtime/hello.so
big=$build/tests/serve/verify_big_heap.so

command -v wrk >/dev/null || { echo "verify_heap_bench: cannot find wrk: install with FORKSAFE_BENCH_DEPS=1 scripts/setup.sh" >&2; exit 2; }
for f in "$serve" "$hello" "$big"; do
  [ -f "$f" ] || { echo "verify_heap_bench: cannot find $f: build forksafe-serve hello verify_big_heap first" >&2; exit 2; }
done

tmp=$(mktemp -d /tmp/forksafe-heap-bench-XXXXXX)
server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  [ -n "$server_pid" ] && wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
trap 'stop_server; rm -rf "$tmp"' EXIT

start_server() {  # APP OPTIONS...: starts it, prints its port once it answers
  local app=$1 log=$tmp/serve.log
  shift
  : >"$log"
  "$serve" -b 127.0.0.1:0 -w 1 -k "$kind" "$@" "$app" >"$log" 2>&1 &
  server_pid=$!
  local port=""
  for _ in $(seq 200); do
    port=$(grep -ao 'Listening at: http://127\.0\.0\.1:[0-9]*' "$log" | head -1 | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && curl -sf -m 2 "http://127.0.0.1:$port/" >/dev/null 2>&1 && { echo "$port"; return 0; }
    sleep 0.1
  done
  echo "verify_heap_bench: server did not start; log:" >&2; cat "$log" >&2; return 1
}

measure() {  # PORT: prints requests/s and p99
  wrk -t1 -c"$connections" -d1s "http://127.0.0.1:$1/" >/dev/null  # warm-up
  local out
  out=$(wrk -t1 -c"$connections" -d"$duration" --latency "http://127.0.0.1:$1/")
  echo "$(awk '/^Requests\/sec:/ {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out")"
}

names=("hello, heap tracking off" "hello, heap tracking on" "10 MB heap, tracking off" "10 MB heap, tracking on" "10 MB heap, no --verify")
declare -A total
run_config() {  # INDEX
  local port rps p99
  case $1 in
    0) port=$(start_server "$hello" --verify="$tmp/r.json" --verify-heap-limit=0) ;;
    1) port=$(start_server "$hello" --verify="$tmp/r.json") ;;
    2) port=$(start_server "$big" --verify="$tmp/r.json" --verify-heap-limit=0) ;;
    3) port=$(start_server "$big" --verify="$tmp/r.json") ;;
    4) port=$(start_server "$big") ;;
  esac
  read -r rps p99 < <(measure "$port")
  stop_server
  printf '%-6s %-28s %12s %10s\n' "$round" "${names[$1]}" "$rps" "$p99"
  total[$1]=$(awk -v a="${total[$1]:-0}" -v b="$rps" 'BEGIN {print a + b}')
}

echo "wrk -t1 -c$connections -d$duration --latency, loopback, -w 1 -k $kind, $(nproc) cores"
printf '%-6s %-28s %12s %10s\n' round configuration requests/s p99
for round in $(seq "$rounds"); do
  for i in 0 1 2 3 4; do run_config "$i"; done
done
# The report of the last run says how much heap the worker tracked.
heap=$(grep -ao '"max_bytes": [0-9]*' "$tmp/r.json" 2>/dev/null || true)
awk -v a="${total[0]}" -v b="${total[1]}" -v c="${total[2]}" -v d="${total[3]}" -v e="${total[4]}" -v n="$rounds" -v heap="$heap" 'BEGIN {
  printf "hello:      heap tracking on/off = %.0f / %.0f requests/s = %.2fx\n", b / n, a / n, b / a
  printf "10 MB heap: heap tracking on/off = %.0f / %.0f requests/s = %.2fx (no --verify: %.0f; tracked %s)\n", d / n, c / n, d / c, e / n, heap }'
