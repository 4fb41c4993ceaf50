#!/usr/bin/env bash
# Benchmarks forksafe-serve against nginx and Gunicorn with wrk on loopback, all in one run.
#
# Usage: tests/bench/serve_bench.sh [BUILD_DIR]
#   env: DURATION=10s CONNECTIONS=50 THREADS=1 RUNS=3 (best of RUNS measurements per server)
#        PIN=1 (0: let the scheduler place servers and wrk)
# Needs: wrk, nginx, gunicorn (scripts/setup.sh with FORKSAFE_BENCH_DEPS=1) and a built tree.
# Every server gets one worker, listens on 127.0.0.1 only, and is killed when the script exits.
# With taskset available and 2+ CPUs, servers run on CPU 1 and wrk on CPU 0, for every server
# alike, so the comparison is not decided by where the scheduler happens to put them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-50}
threads=${THREADS:-1}
runs=${RUNS:-3}
server_cpu=()
client_cpu=()
if [ "${PIN:-1}" = 1 ] && command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  server_cpu=(taskset -c 1)
  client_cpu=(taskset -c 0)
fi
serve=$build/runtime/forksafe-serve
hello=$build/runtime/hello.so

for tool in wrk nginx gunicorn; do
  command -v "$tool" >/dev/null || { echo "serve_bench: cannot find $tool: install with FORKSAFE_BENCH_DEPS=1 scripts/setup.sh" >&2; exit 2; }
done
[ -x "$serve" ] && [ -f "$hello" ] || { echo "serve_bench: cannot find $serve or $hello: build first" >&2; exit 2; }

tmp=$(mktemp -d /tmp/forksafe-bench-XXXXXX)
server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap 'stop_server; rm -rf "$tmp"' EXIT
# bash skips the EXIT trap when killed by an untrapped signal; without these a timeout or ^C
# would leave the server under test running.
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Waits (bounded) for "Listening at: http://127.0.0.1:PORT" in a log and prints PORT.
port_from_log() {
  local log=$1
  for _ in $(seq 100); do
    local p
    p=$(grep -o 'Listening at: http://127\.0\.0\.1:[0-9]*' "$log" 2>/dev/null | head -1 | grep -o '[0-9]*$' || true)
    if [ -n "$p" ]; then echo "$p"; return 0; fi
    sleep 0.1
  done
  echo "serve_bench: server did not start; log:" >&2; cat "$log" >&2; return 1
}

wait_ready() {
  for _ in $(seq 100); do
    curl -sf -m 1 "http://127.0.0.1:$1/" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "serve_bench: nothing answers on port $1" >&2; return 1
}

results=()
run_wrk() {
  local name=$1 port=$2
  wait_ready "$port"
  "${client_cpu[@]}" wrk -t"$threads" -c"$connections" -d2s "http://127.0.0.1:$port/" >/dev/null  # warm-up
  local out rps p99 errors best_rps=0 best_p99="" all_errors=""
  for _ in $(seq "$runs"); do
    out=$("${client_cpu[@]}" wrk -t"$threads" -c"$connections" -d"$duration" --latency "http://127.0.0.1:$port/")
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)
    all_errors+=$errors
    if awk -v a="$rps" -v b="$best_rps" 'BEGIN {exit !(a > b)}'; then best_rps=$rps; best_p99=$p99; fi
  done
  results+=("$name|$best_rps|$best_p99|${all_errors:-none}")
}

# forksafe-serve, event and sync workers
for kind in event sync; do
  "${server_cpu[@]}" "$serve" -b 127.0.0.1:0 -w 1 -k "$kind" "$hello" >"$tmp/serve-$kind.log" 2>&1 &
  server_pid=$!
  run_wrk "forksafe-serve -k $kind" "$(port_from_log "$tmp/serve-$kind.log")"
  stop_server
done

# nginx, one worker, return 200; the port is picked by the kernel and then handed to nginx
nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$tmp/nginx/logs"
cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { default_type text/plain; return 200 "Hello, world!\n"; }
  }
}
CONF
"${server_cpu[@]}" nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" >"$tmp/nginx/stdout.log" 2>&1 &
server_pid=$!
run_wrk "nginx return 200" "$nginx_port"
stop_server

# Gunicorn sync and gthread with the same hello body
for kind in sync gthread; do
  extra=()
  [ "$kind" = gthread ] && extra=(--threads 4)
  "${server_cpu[@]}" gunicorn -w 1 -k "$kind" "${extra[@]}" -b 127.0.0.1:0 --chdir "$here" --error-logfile - \
    hello_wsgi:app >"$tmp/gunicorn-$kind.log" 2>&1 &
  server_pid=$!
  run_wrk "gunicorn -k $kind" "$(port_from_log "$tmp/gunicorn-$kind.log")"
  stop_server
done

rps_of() {
  local r n rps
  for r in "${results[@]}"; do
    IFS='|' read -r n rps _ _ <<<"$r"
    if [ "$n" = "$1" ]; then echo "$rps"; fi
  done
}
nginx_rps=$(rps_of "nginx return 200")
gsync_rps=$(rps_of "gunicorn -k sync")
echo
echo "wrk -t$threads -c$connections -d$duration --latency, best of $runs, loopback, 1 worker each, $(nproc) cores${server_cpu:+, servers on CPU 1, wrk on CPU 0}"
printf '%-24s %12s %10s %10s %12s  %s\n' server "requests/s" p99 "x nginx" "x gunicorn" "errors"
for r in "${results[@]}"; do
  IFS='|' read -r name rps p99 errors <<<"$r"
  printf '%-24s %12s %10s %10s %12s  %s\n' "$name" "$rps" "$p99" \
    "$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN {printf "%.2f", a / b}')" \
    "$(awk -v a="$rps" -v b="$gsync_rps" 'BEGIN {printf "%.1f", a / b}')" "$errors"
done
event_rps=$(rps_of "forksafe-serve -k event")
echo
awk -v e="$event_rps" -v n="$nginx_rps" -v g="$gsync_rps" 'BEGIN {
  printf "target event >= 0.8x nginx: %.2fx %s\n", e / n, (e >= 0.8 * n ? "met" : "NOT met");
  printf "target event >= 10x gunicorn sync: %.1fx %s\n", e / g, (e >= 10 * g ? "met" : "NOT met");
}'
