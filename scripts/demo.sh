#!/usr/bin/env bash
# The main job: installs what is missing, builds, checks the bundled example apps with
# forksafe-check, serves the counter example under 1 and 4 workers to show the bug for real, then
# serves every example (broken and fixed) under 4 workers with --verify and prints the checker's
# findings next to what the workers were observed to change (docs/verify.md).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
build=${FORKSAFE_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
examples=(counter sessions ids tokens cache dbconn quota stock)
targets=(forksafe-check forksafe-serve hello)
for e in "${examples[@]}"; do targets+=("$e" "${e}_fixed"); done
targets+=(verify_hidden_write)  # a test app with a write the checker cannot see
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >/dev/null

echo "== forksafe-check on the example apps (runtime/examples)"
status=0
"$build/tool/forksafe-check" -p "$build" runtime/examples/*/*.cpp || status=$?
echo "(forksafe-check exit status: $status — 1 means error-level findings)"

log=$(mktemp)
work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -f "$log"
  rm -rf "$work"
}
trap cleanup EXIT

serve_counter() {  # $1 = workers, $2 = app (default counter); prints what 8 requests get
  : >"$log"
  "$build/runtime/forksafe-serve" -b 127.0.0.1:0 -w "$1" \
    --error-logfile "$log" "$build/runtime/${2:-counter}.so" 2>>"$log" &
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
  echo "-w $1${2:+ ($2)}: ${values[*]}"
  kill -TERM "$server"
  wait "$server" 2>/dev/null || true
  server=""
}

echo
echo "== forksafe-serve runs the counter app: one worker counts, four workers each count alone"
serve_counter 1
serve_counter 4
echo "== the fixed counter keeps its count in a forksafe::shared::Counter (docs/shared-state.md)"
serve_counter 4 counter_fixed

# --- forksafe-serve --verify: each example, broken then fixed, 4 workers, a short request script ---

# Prints the port from "Listening at" in $1 once all $2 workers booted (bounded; sends no request).
wait_port() {
  local port=""
  for _ in $(seq 100); do
    port=$(sed -n 's|.*Listening at: http://127.0.0.1:\([0-9]*\).*|\1|p' "$1" | head -1)
    if [ -n "$port" ] && [ "$(grep -c 'Booted worker' "$1")" -ge "$2" ]; then
      echo "$port"
      return 0
    fi
    sleep 0.1
  done
  return 1
}

call() {  # METHOD PATH: one request on a fresh connection (so requests spread over the workers)
  curl -s --max-time 5 -X "$1" "http://127.0.0.1:$port$2" | tr -d '\n' || echo -n '?'
}

requests() {  # the scripted sequence for example $1; prints what the clients saw
  local name=${1%_fixed} out=() token
  case $name in
    counter) for _ in $(seq 8); do out+=("$(call GET /)"); done ;;
    sessions)
      token=$(call POST "/login?user=ann")
      out+=("login:${token:0:8}…")
      for _ in $(seq 4); do out+=("$(call GET "/me?token=$token")"); done ;;
    ids) for _ in $(seq 6); do out+=("$(call POST /orders)"); done ;;
    tokens) for _ in $(seq 6); do out+=("$(call GET /token)"); done ;;
    cache) for p in a b a c a; do out+=("$(call GET "/pages/$p")"); done ;;
    dbconn) for i in 1 2 3 4; do out+=("$(call POST "/entries?item=$i")"); done ;;
    quota) for _ in $(seq 8); do out+=("$(call POST /download)"); done ;;
    stock) for _ in $(seq 5); do out+=("$(call POST /buy/apple)"); done ;;
    verify_hidden_write) for p in flagged hidden hidden flagged; do out+=("$(call GET "/$p")"); done ;;
  esac
  local IFS='|'
  echo "clients saw: ${out[*]}"
}

source_of() {  # example target -> its source file
  local name=${1%_fixed}
  if [ "$1" = verify_hidden_write ]; then echo "tests/serve/apps/$1.cpp"; return; fi
  echo "runtime/examples/$name/$1.cpp"
}

verify_example() {  # $1 = target (counter, counter_fixed, ...)
  local app=$1 src said findings="$work/$1.findings.json" report="$work/$1.report.json" table="$work/$1.table"
  local dir=runtime
  [ "$app" = verify_hidden_write ] && dir=tests/serve
  src=$(source_of "$app")
  echo
  echo "---- $app ($src)"
  echo "forksafe-check says:"
  said=$("$build/tool/forksafe-check" -q -p "$build" "$src" 2>/dev/null |
    sed -nE "s#^.*/([^/:]+:[0-9]+):[0-9]+: (error|warning): '([^']+)'.*\[(forksafe-[a-z-]+)\]\$#  \2 \4 \3 (\1)#p" |
    sort -u || true)
  echo "${said:-  nothing}"
  "$build/tool/forksafe-check" -q --format=json -o "$findings" -p "$build" "$src" || true
  local preload=()
  case $app in tokens* | dbconn*) preload=(--preload) ;; esac
  : >"$log"
  FORKSAFE_EXAMPLE_STATE_DIR="$work" "$build/runtime/forksafe-serve" -b 127.0.0.1:0 -w 4 "${preload[@]}" \
    --verify="$report" --static-report="$findings" --error-logfile "$log" "$build/$dir/$app.so" >"$table" 2>>"$log" &
  server=$!
  port=$(wait_port "$log" 4) || { echo "forksafe-serve did not start:"; cat "$log"; return 1; }
  requests "$app"
  kill -TERM "$server"
  wait "$server" 2>/dev/null || true
  server=""
  grep -E 'WARNING|ERROR' "$log" | sed -E 's/^\[[^]]*\] \[[0-9]+\] //' | sed 's/^/  /' || true
  echo "forksafe-serve --verify says:"
  sed 's/^/  /' "$table"
}

echo
echo "== forksafe-serve --verify: each example under 4 workers; checker findings next to what the workers changed"
echo "   (confirmed: flagged and observed · static only: flagged, not observed · dynamic only: observed, never flagged)"
for e in "${examples[@]}"; do
  verify_example "$e"
  verify_example "${e}_fixed"
done
echo
echo "== and the row that matters most: a write the checker cannot see (through an address kept as an integer, and memcpy)"
verify_example verify_hidden_write
