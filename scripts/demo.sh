#!/usr/bin/env bash
# The main job: installs what is missing, builds, checks the bundled example apps with
# forksafe-check, then serves the counter example under 1 and 4 workers to show the bug for real.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
build=${FORKSAFE_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target forksafe-check forksafe-serve counter hello >/dev/null

echo "== forksafe-check on the example apps (runtime/examples)"
status=0
"$build/tool/forksafe-check" -p "$build" runtime/examples/*/*.cpp || status=$?
echo "(forksafe-check exit status: $status — 1 means error-level findings)"

log=$(mktemp)
server=""
cleanup() {
  [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -f "$log"
}
trap cleanup EXIT

serve_counter() {  # $1 = workers; prints the counter values 8 requests get
  : >"$log"
  "$build/runtime/forksafe-serve" -b 127.0.0.1:0 -w "$1" \
    --error-logfile "$log" "$build/runtime/counter.so" 2>>"$log" &
  server=$!
  local port=""
  for _ in $(seq 100); do
    port=$(sed -n 's|.*Listening at: http://127.0.0.1:\([0-9]*\).*|\1|p' "$log" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "forksafe-serve did not start:"; cat "$log"; return 1; }
  sleep 0.5  # let every worker boot
  local values=()
  for _ in $(seq 8); do
    values+=("$(curl -s --max-time 5 "http://127.0.0.1:$port/" || echo '?')")
  done
  echo "-w $1: ${values[*]}"
  kill -TERM "$server"
  wait "$server" 2>/dev/null || true
  server=""
}

echo
echo "== forksafe-serve runs the counter app: one worker counts, four workers each count alone"
serve_counter 1
serve_counter 4
