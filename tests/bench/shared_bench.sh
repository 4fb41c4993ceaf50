#!/usr/bin/env bash
# Benchmarks forksafe::shared in one run (docs/shared-state.md#measured): the library alone
# (shared_bench: micro-baselines, then 4 processes on shm, Redis and locked files), then over HTTP
# with wrk against forksafe-serve -w 4 serving the same operations from each backend.
#
# Usage: tests/bench/shared_bench.sh [BUILD_DIR]
#   env: DURATION=5s (wrk, per route) CONNECTIONS=32 SECONDS_PER_OP=2 (library part)
# Needs: redis-server, wrk (scripts/setup.sh with FORKSAFE_BENCH_DEPS=1) and a built tree with the
# targets forksafe-serve, shared_bench and shared_bench_app. Redis listens on a unix socket in a
# temporary directory; everything started here is stopped when the script exits.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
duration=${DURATION:-5s}
connections=${CONNECTIONS:-32}
seconds=${SECONDS_PER_OP:-2}
serve=$build/runtime/forksafe-serve
bench=$build/tests/serve/shared_bench
app=$build/tests/serve/shared_bench_app.so

for tool in wrk redis-server; do
  command -v "$tool" >/dev/null || { echo "shared_bench: cannot find $tool: install with FORKSAFE_BENCH_DEPS=1 scripts/setup.sh" >&2; exit 2; }
done
for f in "$serve" "$bench" "$app"; do
  [ -e "$f" ] || { echo "shared_bench: cannot find $f: build forksafe-serve shared_bench shared_bench_app first" >&2; exit 2; }
done

tmp=$(mktemp -d /tmp/forksafe-shared-bench-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

redis-server --port 0 --unixsocket "$tmp/redis.sock" --save '' --appendonly no --dir "$tmp" \
  --logfile "$tmp/redis.log" &
pids+=($!)
for _ in $(seq 100); do [ -S "$tmp/redis.sock" ] && break; sleep 0.05; done
[ -S "$tmp/redis.sock" ] || { echo "shared_bench: redis-server did not start" >&2; exit 1; }
redis=unix:$tmp/redis.sock

echo "== forksafe::shared, library only ($(nproc) CPUs)"
"$bench" --redis "$redis" --dir "$tmp" --seconds "$seconds"

echo
echo "== over HTTP: forksafe-serve -w 4, wrk -c $connections -d $duration per route (requests/s)"
FORKSAFE_BENCH_REDIS=$redis FORKSAFE_EXAMPLE_STATE_DIR=$tmp \
  "$serve" -b 127.0.0.1:0 -w 4 "$app" >"$tmp/serve.log" 2>&1 &
pids+=($!)
port=""
for _ in $(seq 100); do
  port=$(grep -o 'Listening at: http://127\.0\.0\.1:[0-9]*' "$tmp/serve.log" | head -1 | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "shared_bench: forksafe-serve did not start:" >&2; cat "$tmp/serve.log" >&2; exit 1; }
for b in shm redis file; do  # fill the maps so gets find something
  for n in $(seq 0 99); do curl -sf -m 5 "http://127.0.0.1:$port/$b/put/$n" >/dev/null; done
done
flagged=0
printf '  %-18s %12s %12s %12s\n' "" shm redis "locked file"
for op in count get put; do
  line=$(printf '  %-18s' "$op")
  for b in shm redis file; do
    cat >"$tmp/req.lua" <<LUA
local op, backend = "$op", "$b"
request = function()
  if op == "count" then return wrk.format(nil, "/" .. backend .. "/count") end
  return wrk.format(nil, "/" .. backend .. "/" .. op .. "/" .. math.random(0, 99))
end
LUA
    wrk -t1 -c"$connections" -d1s -s "$tmp/req.lua" "http://127.0.0.1:$port/" >/dev/null  # warm-up
    out=$(wrk -t1 -c"$connections" -d"$duration" -s "$tmp/req.lua" "http://127.0.0.1:$port/")
    rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
    if grep -q 'Non-2xx' <<<"$out"; then rps="$rps(!)"; flagged=1; fi
    line+=$(printf ' %12s' "$rps")
  done
  echo "$line"
done
if [ "$flagged" = 1 ]; then echo "(!) some responses were not 200"; fi
