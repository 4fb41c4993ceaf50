#!/usr/bin/env python3
"""The parsing floor for the checker benchmark: runs `clang++-19 -fsyntax-only` with each
entry's own flags from a compile_commands.json, JOBS at a time. Usage: floor.py DB JOBS [FILE...]"""
import concurrent.futures
import json
import shlex
import subprocess
import sys


def syntax_only_argv(entry):
    """The entry's own command as `clang++-19 -fsyntax-only`, without -c and -o."""
    args = entry.get("arguments") or shlex.split(entry["command"])
    out, skip = ["clang++-19", "-fsyntax-only"], False
    for a in args[1:]:
        if skip:
            skip = False
        elif a == "-o":
            skip = True
        elif a != "-c":
            out.append(a)
    return out


def syntax_only(entry):
    return subprocess.run(syntax_only_argv(entry), cwd=entry["directory"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode


def main():
    db, jobs, files = sys.argv[1], int(sys.argv[2]), set(sys.argv[3:])
    entries = [e for e in json.load(open(db)) if not files or e["file"] in files]
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        failures = sum(1 for rc in pool.map(syntax_only, entries) if rc != 0)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
