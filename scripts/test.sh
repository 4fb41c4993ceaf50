#!/usr/bin/env bash
# Installs what is missing, checks the formatting (scripts/format.sh), builds everything with
# warnings as errors and runs the whole test suite: ctest on the normal build (unit, integration,
# conformance, fault injection, checker robustness, dogfood), then the suite again under
# ASan+UBSan and the threaded-worker tests under TSan (scripts/sanitize.sh), then every libFuzzer
# target on its whole corpus, seeds and saved reproducers (scripts/fuzz.sh seeds).
# Every stage is deterministic: the same commit gets the same verdict. Exploratory fuzzing is not
# part of it (scripts/fuzz.sh SECONDS; docs/fuzzing.md).
# FORKSAFE_SANITIZE_RUNS=off or FORKSAFE_FUZZ_REPLAY=off skip those stages for a quick local run.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
build=${FORKSAFE_BUILD_DIR:-build}
start=$(date +%s)
./scripts/format.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFORKSAFE_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" -j"$(nproc)" --output-on-failure --timeout 900
tests_done=$(date +%s)
./scripts/sanitize.sh
sanitize_done=$(date +%s)
case ${FORKSAFE_FUZZ_REPLAY:-on} in
  0 | off) echo "test.sh: FORKSAFE_FUZZ_REPLAY=off, fuzz corpora not replayed" ;;
  *) ./scripts/fuzz.sh seeds ;;
esac
echo "== test.sh: build and ctest $((tests_done - start)) s, sanitizers $((sanitize_done - tests_done)) s," \
     "fuzz corpus replay $(($(date +%s) - sanitize_done)) s"
