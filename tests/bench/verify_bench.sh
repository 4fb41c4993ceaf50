#!/usr/bin/env bash
# Benchmarks the cost of --verify: forksafe-serve serving the hello app with and without it, in one
# run, alternating (off, on, off, on, ...) so machine noise hits both the same way.
#
# Usage: tests/bench/verify_bench.sh [BUILD_DIR]   (env: DURATION=5s CONNECTIONS=50 ROUNDS=2 KIND=event)
# Needs: wrk and a built tree. Listens on 127.0.0.1 only; every server is stopped on exit.
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

command -v wrk >/dev/null || { echo "verify_bench: cannot find wrk: install with FORKSAFE_BENCH_DEPS=1 scripts/setup.sh" >&2; exit 2; }
[ -x "$serve" ] && [ -f "$hello" ] || { echo "verify_bench: cannot find $serve or $hello: build first" >&2; exit 2; }

tmp=$(mktemp -d /tmp/forksafe-verify-bench-XXXXXX)
server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  [ -n "$server_pid" ] && wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
trap 'stop_server; rm -rf "$tmp"' EXIT

# Starts the server with "$@" as extra options; prints its port once it answers.
start_server() {
  local log=$tmp/serve.log
  : >"$log"
  "$serve" -b 127.0.0.1:0 -w 1 -k "$kind" "$@" "$hello" >"$log" 2>&1 &
  server_pid=$!
  local port=""
  for _ in $(seq 100); do
    port=$(grep -o 'Listening at: http://127\.0\.0\.1:[0-9]*' "$log" | head -1 | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && curl -sf -m 1 "http://127.0.0.1:$port/" >/dev/null 2>&1 && { echo "$port"; return 0; }
    sleep 0.1
  done
  echo "verify_bench: server did not start; log:" >&2; cat "$log" >&2; return 1
}

measure() {  # $1 = port; prints requests/s and p99
  wrk -t1 -c"$connections" -d1s "http://127.0.0.1:$1/" >/dev/null  # warm-up
  local out
  out=$(wrk -t1 -c"$connections" -d"$duration" --latency "http://127.0.0.1:$1/")
  echo "$(awk '/^Requests\/sec:/ {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out")"
}

echo "wrk -t1 -c$connections -d$duration --latency, loopback, hello app, -w 1 -k $kind, $(nproc) cores"
printf '%-6s %-16s %14s %10s\n' round server requests/s p99
off_total=0
on_total=0
for round in $(seq "$rounds"); do
  port=$(start_server)
  read -r rps p99 < <(measure "$port")
  stop_server
  printf '%-6s %-16s %14s %10s\n' "$round" "without --verify" "$rps" "$p99"
  off_total=$(awk -v a="$off_total" -v b="$rps" 'BEGIN {print a + b}')
  port=$(start_server --verify="$tmp/report.json")
  read -r rps p99 < <(measure "$port")
  stop_server
  printf '%-6s %-16s %14s %10s\n' "$round" "with --verify" "$rps" "$p99"
  on_total=$(awk -v a="$on_total" -v b="$rps" 'BEGIN {print a + b}')
  grep -q '"requests"' "$tmp/report.json" || { echo "verify_bench: no report written" >&2; exit 1; }
done
awk -v off="$off_total" -v on="$on_total" -v n="$rounds" 'BEGIN {
  printf "mean without %.0f, with %.0f requests/s: --verify costs %.1f %%\n", off / n, on / n, (off - on) * 100 / off }'
