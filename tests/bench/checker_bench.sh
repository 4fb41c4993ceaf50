#!/usr/bin/env bash
# Benchmark of forksafe-check (a script, not a test): wall time and peak memory on generated
# codebases of N handler TUs and on the project's own sources, next to the parsing floor
# (clang-19 -fsyntax-only on the same TUs) and run-clang-tidy-19 with the closest clang-tidy check,
# all measured in the same run.
#
#   tests/bench/checker_bench.sh [build-dir]          # sizes from $SIZES (default "10 100 1000")
#   SIZES="10 100" SERIAL_MAX=100 JOBS=2 tests/bench/checker_bench.sh build
#   SIZES=1000 SKIP_TIDY=1 SKIP_OWN=1 tests/bench/checker_bench.sh build   # the big one, shorter
#
# Serial (-j1) runs are skipped above SERIAL_MAX TUs to keep the run bounded.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
check=${CHECK:-$build/tool/forksafe-check}
sizes=${SIZES:-"10 100 1000"}
jobs=${JOBS:-$(nproc)}
serial_max=${SERIAL_MAX:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x "$check" ] || { echo "checker_bench: build forksafe-check first ($check)" >&2; exit 2; }

# measure NAME CMD...: runs CMD, records "NAME wall_seconds peak_MiB" (peak over the process tree).
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || true
  read -r wall kib < <(tail -n 1 "$work/time")
  printf '%s\t%s\t%s\n' "$name" "$wall" "$((kib / 1024))" >>"$work/results"
}

report() {  # $1 = label
  local floor
  floor=$(awk -F'\t' '$1=="floor-j'"$jobs"'"{print $2}' "$work/results")
  echo
  echo "## $1"
  printf '%-34s %10s %10s %12s\n' "run" "wall (s)" "peak MiB" "vs floor -j$jobs"
  while IFS=$'\t' read -r name wall mib; do
    printf '%-34s %10s %10s %12s\n' "$name" "$wall" "$mib" \
      "$(awk -v a="$wall" -v b="$floor" 'BEGIN{ if (b>0) printf "%.2fx", a/b; else print "-" }')"
  done <"$work/results"
  grep -h "stats:" "$work"/stats-* 2>/dev/null | sed 's/^forksafe-check: /  /' || true
  rm -f "$work/results" "$work"/stats-*
}

for n in $sizes; do
  dir="$work/gen-$n"
  python3 "$here/gen_handlers.py" "$n" "$dir"
  tus=$((n + 1))
  if [ "$tus" -le "$serial_max" ]; then
    measure "floor-j1" python3 "$here/floor.py" "$dir/compile_commands.json" 1
    measure "forksafe-check cold -j1" "$check" -p "$dir" --no-cache -q -j 1
  fi
  measure "floor-j$jobs" python3 "$here/floor.py" "$dir/compile_commands.json" "$jobs"
  measure "forksafe-check cold -j$jobs" "$check" -p "$dir" --no-cache -q -j "$jobs" --stats
  cp "$work/stderr" "$work/stats-cold"
  cache="$work/cache-$n"
  "$check" -p "$dir" -q -j "$jobs" --cache-dir "$cache" >/dev/null 2>&1 || true
  measure "forksafe-check warm, nothing changed" "$check" -p "$dir" -q -j "$jobs" --cache-dir "$cache"
  echo "// touched" >>"$dir/src/handler_0000.cpp"
  measure "forksafe-check warm, one TU changed" "$check" -p "$dir" -q -j "$jobs" --cache-dir "$cache"
  if [ "${SKIP_TIDY:-0}" != 1 ]; then
    measure "run-clang-tidy-19 -j$jobs" run-clang-tidy-19 -quiet -p "$dir" -j "$jobs" \
      -checks='-*,cppcoreguidelines-avoid-non-const-global-variables'
  fi
  report "$tus generated handler TUs (heavy standard headers), -j$jobs"
done

[ "${SKIP_OWN:-0}" = 1 ] && exit 0
# The project's own sources.
own=$(cd "$root" && ls src/*.cpp checks/*.cpp tool/*.cpp runtime/src/*.cpp | sed "s|^|$root/|")
measure "floor-j$jobs" python3 "$here/floor.py" "$build/compile_commands.json" "$jobs" $own
measure "forksafe-check cold -j$jobs" "$check" -p "$build" --no-cache -q -j "$jobs" $own
measure "run-clang-tidy-19 -j$jobs" run-clang-tidy-19 -quiet -p "$build" -j "$jobs" \
  -checks='-*,cppcoreguidelines-avoid-non-const-global-variables' $own
report "forksafe's own sources ($(echo "$own" | wc -w) TUs), -j$jobs"
