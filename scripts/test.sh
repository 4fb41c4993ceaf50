#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite: ctest on the normal
# build (unit, integration, conformance, fault injection, checker robustness, dogfood), then the
# suite again under ASan+UBSan and the threaded-worker tests under TSan (scripts/sanitize.sh), then
# every libFuzzer target for FORKSAFE_FUZZ_SECONDS (default 60) each (scripts/fuzz.sh).
# FORKSAFE_SANITIZE_RUNS=off or FORKSAFE_FUZZ_SECONDS=0 skip those stages for a quick local run.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
build=${FORKSAFE_BUILD_DIR:-build}
start=$(date +%s)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" -j"$(nproc)" --output-on-failure --timeout 900
tests_done=$(date +%s)
./scripts/sanitize.sh
sanitize_done=$(date +%s)
fuzz_seconds=${FORKSAFE_FUZZ_SECONDS:-60}
if [ "$fuzz_seconds" != 0 ]; then ./scripts/fuzz.sh "$fuzz_seconds"; fi
echo "== test.sh: build and ctest $((tests_done - start)) s, sanitizers $((sanitize_done - tests_done)) s," \
     "fuzzing $(($(date +%s) - sanitize_done)) s"
