#!/usr/bin/env bash
# Checks that every C/C++ file of the repository is formatted by clang-format-19 with the
# repository's .clang-format (line-pinned test data is listed in .clang-format-ignore).
#   scripts/format.sh          check: lists the files that differ, exits 1 if any
#   scripts/format.sh --fix    rewrites them in place
set -euo pipefail
cd "$(dirname "$0")/.."
formatter=${CLANG_FORMAT:-clang-format-19}
command -v "$formatter" >/dev/null ||
  { echo "format: $formatter not found (scripts/setup.sh installs it)" >&2; exit 2; }
mapfile -t files < <(git ls-files -- '*.c' '*.cpp' '*.h' '*.hpp')
case ${1:-} in
  --fix) printf '%s\0' "${files[@]}" | xargs -0 -n 50 -P "$(nproc)" "$formatter" -i; exit 0 ;;
  "") ;;
  *) echo "format: unknown argument '$1' (want --fix or nothing)" >&2; exit 2 ;;
esac
# Batches of 50 files per process; a file that differs is named by its "<file>:<line>:<col>: error:"
# lines on stderr.
mapfile -t differ < <(printf '%s\0' "${files[@]}" |
  xargs -0 -n 50 -P "$(nproc)" "$formatter" --dry-run --Werror 2>&1 >/dev/null |
  sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: .*/\1/p' | sort -u)
if [ ${#differ[@]} -gt 0 ]; then
  echo "format: ${#differ[@]} file(s) not formatted with $formatter (run scripts/format.sh --fix):" >&2
  printf '  %s\n' "${differ[@]}" >&2
  exit 1
fi
echo "format: ${#files[@]} files formatted"
