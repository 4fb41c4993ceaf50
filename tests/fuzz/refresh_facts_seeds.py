#!/usr/bin/env python3
"""Rewrites the facts fuzz seeds (tests/fuzz/corpus/facts/) from the current checker.

A facts-cache entry carries the facts version; after kFactsVersion changes, every seed of the
previous version is rejected at its first line and the `facts` target no longer reaches the link,
model and rules. This script checks each rule fixture (and the sessions example) with a fresh
--cache-dir, takes the entry the checker wrote, empties its `deps` (the fuzz target has no source
files to hash) and shortens absolute paths to /src/..., then writes it as <fixture>.json. Two
fixtures are also linked into one entry (two-units-linked.json), and the hand-written hostile
seeds keep their purpose: old-version.json stays at an old version, missing-dep.json (a
dependency that does not exist) and empty-entry.json follow the current one.

    tests/fuzz/refresh_facts_seeds.py build/tool/forksafe-check
"""
import json
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus" / "facts"
SOURCES = sorted((ROOT / "tests" / "check" / "fixtures").glob("*.cpp")) + [
    ROOT / "runtime" / "examples" / "sessions" / "sessions.cpp"]


def entry_for(checker, source, cache):
    args = [checker, str(source), "--quiet", f"--cache-dir={cache}", "--",
            "-std=c++17", f"-I{ROOT / 'runtime' / 'include'}"]
    status = subprocess.run(args, capture_output=True, text=True).returncode
    if status not in (0, 1):
        sys.exit(f"refresh_facts_seeds: cannot check {source} (status {status})")
    entries = [p for p in pathlib.Path(cache).rglob("*") if p.is_file()]
    if len(entries) != 1:
        sys.exit(f"refresh_facts_seeds: expected one cache entry for {source}, got {len(entries)}")
    body = entries[0].read_text().split("\n", 1)[1]  # the first line is the checksummed header
    entry = json.loads(body)
    entry["deps"] = []
    return json.loads(json.dumps(entry).replace(str(ROOT), "/src"))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: tests/fuzz/refresh_facts_seeds.py FORKSAFE-CHECK")
    checker = str(pathlib.Path(sys.argv[1]).resolve())
    written = {}
    for source in SOURCES:
        with tempfile.TemporaryDirectory() as cache:
            written[source.stem] = entry_for(checker, source, cache)
        (CORPUS / f"{source.stem}.json").write_text(
            json.dumps(written[source.stem], separators=(",", ":")) + "\n")
    version = written["sessions"]["version"]
    linked = {"version": version, "deps": [],
              "facts": written["forksafe-prefork-pid"]["facts"] + written["sessions"]["facts"]}
    (CORPUS / "two-units-linked.json").write_text(json.dumps(linked, separators=(",", ":")) + "\n")
    (CORPUS / "empty-entry.json").write_text(
        json.dumps({"version": version, "deps": [], "facts": []}, separators=(",", ":")) + "\n")
    missing = {"version": version, "deps": [["/nonexistent/forksafe/a.h", "00000000000000ff"]],
               "facts": []}
    (CORPUS / "missing-dep.json").write_text(json.dumps(missing, separators=(",", ":")) + "\n")
    print(f"refresh_facts_seeds: {len(written) + 3} seeds at facts version {version}")


if __name__ == "__main__":
    main()
