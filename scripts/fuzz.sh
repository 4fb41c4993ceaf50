#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang-19 and replays or explores their corpora.
#
#   scripts/fuzz.sh seeds                replay every file of every corpus once (the seeds and the
#                                        saved reproducers, regress_*) and stop: deterministic,
#                                        this is the gate scripts/test.sh and CI run
#   scripts/fuzz.sh [SECONDS]            replay as above, then explore: fuzz each target SECONDS
#                                        (default 60) on a temporary copy of its corpus
#   scripts/fuzz.sh replay TARGET FILE…  run one target once on the given inputs (a reproducer,
#                                        a seed, a corpus directory) and show what it does
#
# FUZZ_TARGETS="http_request facts" restricts the run. Reproducers of failures found while
# exploring are kept in build-fuzz/artifacts/ and named in the summary; nothing is ever written
# into the repository. Exit status: 0 when every target ran clean, 1 when one crashed, hung, leaked
# or ran out of memory, 2 on usage or build errors. See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${FORKSAFE_FUZZ_BUILD_DIR:-build-fuzz}
all_targets=(http_request findings config suppressions compile_commands facts)
read -r -a targets <<<"${FUZZ_TARGETS:-${all_targets[*]}}"

usage() {
  echo "usage: scripts/fuzz.sh seeds | scripts/fuzz.sh [SECONDS] | scripts/fuzz.sh replay TARGET FILE..." >&2
  exit 2
}

mode=run
seconds=60
if [ "${1:-}" = replay ]; then
  [ $# -ge 3 ] || usage
  mode=replay
  targets=("$2")
  shift 2
elif [ "${1:-}" = seeds ]; then
  [ $# -eq 1 ] || usage
  mode=seeds
elif [ $# -gt 1 ]; then
  usage
elif [ $# -eq 1 ]; then
  [[ "$1" =~ ^[1-9][0-9]*$ ]] || usage
  seconds=$1
fi
for t in "${targets[@]}"; do
  if [ ! -f "tests/fuzz/${t}_fuzz.cpp" ]; then
    echo "fuzz: cannot find target '$t': no tests/fuzz/${t}_fuzz.cpp" >&2
    exit 2
  fi
done

./scripts/setup.sh
if ! CC=clang-19 CXX=clang++-19 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DFORKSAFE_FUZZ=ON -DFORKSAFE_BUILD_TESTS=OFF >"$build.configure.log" 2>&1; then
  cat "$build.configure.log" >&2
  echo "fuzz: cannot configure $build: see the output above" >&2
  exit 2
fi
rm -f "$build.configure.log"
build_targets=()
for t in "${targets[@]}"; do build_targets+=("${t}_fuzz"); done
if ! nice cmake --build "$build" --target "${build_targets[@]}"; then
  echo "fuzz: cannot build the fuzz targets" >&2
  exit 2
fi
bin="$build/tests/fuzz"

if [ "$mode" = replay ]; then
  t=${targets[0]}
  exec "$bin/${t}_fuzz" -runs=0 -timeout=10 -rss_limit_mb=2048 "$@"
fi

# Every corpus file once (the same check as the ctest Fuzz.<target>.Seeds). libFuzzer prints
# "Running: FILE" before each input, so the last such line names the one that failed.
replay_failed=0
for t in "${targets[@]}"; do
  files=(tests/fuzz/corpus/"$t"/*)
  regress=(tests/fuzz/corpus/"$t"/regress_*)
  [ -e "${regress[0]}" ] || regress=()
  t0=$(date +%s)
  if "$bin/${t}_fuzz" -runs=0 -timeout=10 -rss_limit_mb=2048 "${files[@]}" \
      >"$build/$t.seeds.log" 2>&1; then
    printf '%-17s replayed %4d inputs (%d saved reproducers) in %3d s  ok\n' "$t" "${#files[@]}" \
      "${#regress[@]}" $(($(date +%s) - t0))
  else
    failing=$(sed -n 's/^Running: //p' "$build/$t.seeds.log" | tail -n 1)
    tail -n 40 "$build/$t.seeds.log" >&2
    printf '%-17s FAILED on %s (log: %s)\n' "$t" "${failing:-?}" "$build/$t.seeds.log"
    replay_failed=1
  fi
done
if [ "$replay_failed" -ne 0 ]; then
  echo "fuzz: a target fails on its own corpus; replay with: scripts/fuzz.sh replay TARGET FILE" >&2
  exit 1
fi
[ "$mode" = seeds ] && exit 0

scratch=${TMPDIR:-/tmp}
[ -w /dev/shm ] && scratch=/dev/shm  # tmpfs: the targets write a file per input
work=$(mktemp -d "$scratch/forksafe-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts="$PWD/$build/artifacts"
mkdir -p "$artifacts"

failed=0
summary=()
for t in "${targets[@]}"; do
  mkdir -p "$work/$t/corpus" "$work/$t/tmp"
  cp tests/fuzz/corpus/"$t"/* "$work/$t/corpus/"
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  log="$build/$t.log"
  status=0
  # The outer timeout only guards against libFuzzer itself wedging; -timeout bounds each input.
  TMPDIR="$work/$t/tmp" timeout $((seconds * 2 + 120)) nice "$bin/${t}_fuzz" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$t-" "${dict[@]}" "$work/$t/corpus" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -a -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1 || true)
  corpus=$(grep -a -o 'corp: [0-9]*' "$log" | tail -n 1 | sed 's/corp: //' || true)
  if [ "$status" -eq 0 ]; then
    result=ok
  else
    failed=1
    reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    what='ERROR: [A-Za-z]*Sanitizer: [a-z-]*\|ERROR: libFuzzer: [a-z -]*'
    what+='\|runtime error: .*\|invariant violated: .*'
    kind=$(grep -a -o -m 1 "$what" "$log" || true)
    result="FAILED (exit $status${kind:+: $kind}) reproducer: ${reproducer:-none, see $log}"
  fi
  summary+=("$(printf '%-17s runs %-9s exec/s %-6s %-20s corpus %-5s %s' "$t" "${runs:-?}" \
    "${speed:-?}" "${cov:-cov: ?}" "${corpus:-?}" "$result")")
  echo "${summary[-1]}"
done

echo "== fuzz summary (${seconds}s per target; logs in $build/<target>.log)"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "fuzz: a target failed; replay with: scripts/fuzz.sh replay TARGET REPRODUCER" >&2
  exit 1
fi
