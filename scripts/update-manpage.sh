#!/bin/sh
# Regenerates docs/forksafe-serve.1 from forksafe-serve's option table (the ctest
# ManPage.UpToDate fails until this has been run after an option changes).
# Usage: scripts/update-manpage.sh [BUILD_DIR]   (default: build)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
cmake --build "$build" --target forksafe-serve-man
"$build/runtime/forksafe-serve-man" > "$root/docs/forksafe-serve.1"
echo "wrote $root/docs/forksafe-serve.1"
