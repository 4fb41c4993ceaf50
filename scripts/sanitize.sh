#!/usr/bin/env bash
# Builds and runs the test suite under sanitizers: all but the plugin tests under ASan+UBSan
# (build-asan), the -k threads tests under TSan (build-tsan). See docs/ci-and-editors.md,
# "Sanitizers".
#
# FORKSAFE_SANITIZE_RUNS=asan,tsan picks the runs (default both; 0 or off: none), and
# FORKSAFE_SANITIZE_JOBS the build and ctest parallelism (default nproc). A failing run does not
# stop the next one; the exit status is 1 if any build or run failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

runs=${FORKSAFE_SANITIZE_RUNS:-asan,tsan}
case $runs in 0 | off) echo "sanitize: FORKSAFE_SANITIZE_RUNS=$runs, nothing to do"; exit 0 ;; esac
jobs=${FORKSAFE_SANITIZE_JOBS:-$(nproc)}
suppressions=$PWD/tests/sanitizers
./scripts/setup.sh || exit 2

# Tests that bound how long something may take multiply the bound by this (sanitized code is
# 2-15x slower); tests that do not measure time are unaffected.
export FORKSAFE_TEST_TIME_SCALE=${FORKSAFE_TEST_TIME_SCALE:-3}
# The robustness test's 2,000 mutated sources already ran on the normal build; 500 keep its
# instrumented run to a few minutes.
export FORKSAFE_ROBUSTNESS_COUNT=${FORKSAFE_ROBUSTNESS_COUNT:-500}
# Every report goes to stderr (a test's own, or server.log for the forksafe-serve processes the
# integration tests start, which the harness checks), and the first one ends the process with a
# failing status: no recovering, no core dumps (abort_on_error=0).
common=halt_on_error=1:abort_on_error=0:log_path=stderr
export ASAN_OPTIONS=$common:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=$common:print_stacktrace=1
export TSAN_OPTIONS=$common:second_deadlock_stack=1
# Known false positives, each with its reason, live in tests/sanitizers/<tool>.supp.
for tool in lsan ubsan tsan; do
  var=${tool^^}_OPTIONS
  [ -f "$suppressions/$tool.supp" ] && export "$var=${!var:+${!var}:}suppressions=$suppressions/$tool.supp"
done

summaries=()
status=0

# run NAME SANITIZERS CTEST-SELECTION CMAKE-ARGS...
run() {
  local name=$1 sanitizers=$2 selection=$3
  shift 3
  local dir=build-$name log=build-$name/ctest.log t0 t1 t2
  echo "== sanitize: $name ($sanitizers): configure and build $dir"
  t0=$(date +%s)
  if ! cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         -DFORKSAFE_SANITIZE="$sanitizers" "$@" >/dev/null ||
     ! cmake --build "$dir" -j"$jobs"; then
    summaries+=("$name: build failed after $(($(date +%s) - t0)) s")
    status=1
    return
  fi
  t1=$(date +%s)
  echo "== sanitize: $name: ctest $selection"
  # shellcheck disable=SC2086  # $selection is a list of ctest options
  ctest --test-dir "$dir" -j"$jobs" --output-on-failure --timeout 600 $selection 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  t2=$(date +%s)
  [ "$rc" -eq 0 ] || status=1
  summaries+=("$name: build $((t1 - t0)) s, tests $((t2 - t1)) s: $(grep -E 'tests passed' "$log" || echo 'no ctest summary')")
}

for r in ${runs//,/ }; do
  case $r in
    # Plugins built with ASan cannot be loaded into the uninstrumented clang-19 and clang-tidy-19
    # that host them, so the plugin tests (labels plugins, build-facts) run in the normal build.
    asan) run asan address,undefined "-LE plugins|build-facts" ;;
    # The checker is not threaded and its LLVM libraries are not instrumented: runtime only.
    tsan) run tsan thread "-L threads" -DFORKSAFE_BUILD_CHECKER=OFF ;;
    *) echo "sanitize: unknown run '$r' (want asan, tsan)" >&2; exit 2 ;;
  esac
done

echo "== sanitize: summary"
printf '%s\n' "${summaries[@]}"
exit $status
