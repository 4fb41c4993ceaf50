#!/usr/bin/env bash
# Benchmark of facts from the build (a script, not a test; docs/facts-from-the-build.md): on a
# generated project of N handler TUs (gen_handlers.py), in the same run,
#   1. the clang-19 build without the plugin, then with libforksafe-facts.so (target <= 1.10x);
#   2. a cold `forksafe-check -p` (no cache, no build facts) and `forksafe-check -p` linking the
#      facts the plugin build left (target <= 5%);
# printed side by side with the ratios.
#
#   tests/bench/facts_bench.sh [build-dir]        # SIZES="1000" (default) JOBS=$(nproc)
#   SIZES=50 RUNS=3 tests/bench/facts_bench.sh build   # a quick run: best of 3 builds each
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
check=${CHECK:-$build/tool/forksafe-check}
plugin=${PLUGIN:-$build/buildfacts/libforksafe-facts.so}
sizes=${SIZES:-1000}
jobs=${JOBS:-$(nproc)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for tool in "$check" "$plugin"; do
  [ -e "$tool" ] || { echo "facts_bench: build forksafe-check and forksafe_facts_plugin first ($tool)" >&2; exit 2; }
done
command -v ninja >/dev/null || { echo "facts_bench: needs ninja (apt-get install ninja-build)" >&2; exit 2; }

# seconds CMD...: runs CMD, prints its wall time and its CPU time (user + system, children
# included) in seconds. Exit status 1 is forksafe-check's "errors found", not a failure.
seconds() {
  local status=0
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || status=$?
  if [ "$status" -gt 1 ]; then
    echo "facts_bench: failed ($status): $*" >&2
    tail -5 "$work/err" >&2
    exit 1
  fi
  tail -n 1 "$work/time" | awk '{ printf "%s %.2f\n", $1, $2 + $3 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.3f", a/b; else print "-" }'; }
# best "WALL CPU" of two: the one with the smaller wall time.
best() { awk -v a="$1" -v b="$2" 'BEGIN{ split(a, x, " "); split(b, y, " "); print (b=="" || x[1]<y[1]) ? a : b }'; }

for n in $sizes; do
  dir="$work/gen-$n"
  python3 "$here/gen_handlers.py" "$n" "$dir"
  # The same compile commands with an object file each (obj/ for the plugin build, whose facts
  # forksafe-check links; plain/ for the build without it) and a ninja file for each build.
  python3 - "$dir" "$plugin" <<'EOF'
import json, os, shlex, sys
root, plugin = sys.argv[1], sys.argv[2]
db = json.load(open(os.path.join(root, "compile_commands.json")))
for entry in db:
    stem = os.path.splitext(os.path.basename(entry["file"]))[0]
    entry["arguments"] += ["-o", os.path.join(root, "obj", stem + ".o")]
    entry["output"] = os.path.join(root, "obj", stem + ".o")
json.dump(db, open(os.path.join(root, "compile_commands.json"), "w"), indent=1)
for name, extra, outdir in (("plain", [], "plain"), ("plugin", ["-fplugin=" + plugin], "obj")):
    with open(os.path.join(root, name + ".ninja"), "w") as f:
        f.write("rule cxx\n  command = $cmd\n")
        for entry in db:
            args = entry["arguments"][:-2] + ["-o", os.path.join(root, outdir, os.path.basename(entry["output"]))]
            args = args[:1] + extra + args[1:]
            f.write("build %s: cxx %s\n  cmd = %s\n" % (args[-1], entry["file"], " ".join(shlex.quote(a) for a in args)))
EOF
  tus=$((n + 1))
  # Best of $RUNS builds each, alternating, after one compile that warms the page cache.
  clang++-19 -std=c++17 -I"$root/runtime/include" -I"$dir/src" -fsyntax-only "$dir/src/handler_0000.cpp"
  plain="" withplugin=""
  for _ in $(seq "${RUNS:-1}"); do
    rm -rf "$dir/plain" "$dir/obj"
    plain=$(best "$(seconds ninja -C "$dir" -f plain.ninja -j "$jobs")" "$plain")
    withplugin=$(best "$(seconds ninja -C "$dir" -f plugin.ninja -j "$jobs")" "$withplugin")
  done
  facts=$(ls "$dir"/obj/*.o.forksafe | wc -l)
  cold=$(seconds "$check" -p "$dir" --no-cache --no-build-facts -q -j "$jobs")
  cp "$work/out" "$work/cold.out"
  linked=$(seconds "$check" -p "$dir" --no-cache -q -j "$jobs" --stats)
  stats=$(grep "stats:" "$work/err" | sed 's/^forksafe-check: /  /')
  same=$(cmp -s "$work/out" "$work/cold.out" && echo "identical" || echo "DIFFERENT")
  echo
  echo "## $tus generated handler TUs, -j$jobs ($facts facts files written by the plugin build)"
  row() {  # NAME "WALL CPU" "BASELINE_WALL BASELINE_CPU"
    set -- "$1" $2 $3
    printf '%-54s %9s %8s %9s %8s\n' "$1" "$2" "$(ratio "$2" "$4")" "$3" "$(ratio "$3" "$5")"
  }
  printf '%-54s %9s %8s %9s %8s\n' "run" "wall (s)" "ratio" "CPU (s)" "ratio"
  row "clang++-19 build, no plugin" "$plain" "$plain"
  row "clang++-19 build, -fplugin=libforksafe-facts.so" "$withplugin" "$plain"
  row "forksafe-check -p, cold (--no-cache --no-build-facts)" "$cold" "$cold"
  row "forksafe-check -p, linking the build's facts" "$linked" "$cold"
  echo "$stats"
  echo "reports: $same"
  awk -v a="${withplugin% *}" -v b="${plain% *}" -v c="${withplugin#* }" -v d="${plain#* }" 'BEGIN{ r=a/b; printf "target build with plugin <= 1.10x: %.3fx wall (%.3fx CPU) %s\n", r, c/d, (r<=1.10?"met":"NOT met") }'
  awk -v a="${linked% *}" -v b="${cold% *}" 'BEGIN{ r=a/b; printf "target check with build facts <= 5%% of cold: %.1f%% %s\n", 100*r, (r<=0.05?"met":"NOT met") }'
done
