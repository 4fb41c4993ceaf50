#!/usr/bin/env python3
"""Benchmark of forksafe-check --lsp (a script, not a test): on a generated project of N handler
TUs (gen_handlers.py) with a warm facts cache, the time from a didChange of one file to its
publishDiagnostics, next to the time clang++-19 -fsyntax-only takes to parse that file alone with
the same flags, both measured in the same run.

    tests/bench/lsp_bench.py [build-dir] [--tus N] [--rounds R] [--work DIR]

--work keeps the generated project and its facts cache in DIR, so a second run skips the
generation and the cold analysis that warms the cache.

Prints the first analysis (facts from the cache), then per round and the medians side by side.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from floor import syntax_only_argv  # tests/bench/floor.py, next to this script

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


class Client:
    """A minimal scripted LSP client on the server's pipes."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.messages = []
        self.cond = threading.Condition()
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            message = json.loads(out.read(length))
            with self.cond:
                self.messages.append((time.monotonic(), message))
                self.cond.notify_all()

    def send(self, message):
        message["jsonrpc"] = "2.0"
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self.send({"id": rid, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == rid and "method" not in m)

    def notify(self, method, params):
        self.send({"method": method, "params": params})

    def wait(self, match, timeout=600):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for at, m in self.messages:
                    if match(m):
                        self.messages.remove((at, m))
                        return at, m
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no matching message from the server")
                self.cond.wait(left)


def published(uri, version):
    return lambda m: (m.get("method") == "textDocument/publishDiagnostics" and
                      m["params"]["uri"] == uri and m["params"].get("version") == version)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", nargs="?", default=os.path.join(ROOT, "build"))
    parser.add_argument("--tus", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work", help="keep the project and the cache here (reused if present)")
    args = parser.parse_args()
    check = os.environ.get("CHECK", os.path.join(args.build, "tool", "forksafe-check"))
    if not os.access(check, os.X_OK):
        sys.exit(f"lsp_bench: build forksafe-check first ({check})")

    with tempfile.TemporaryDirectory() as temporary:
        work = args.work or temporary
        project = os.path.join(work, "gen")
        if not os.path.exists(os.path.join(project, "compile_commands.json")):
            subprocess.run([sys.executable, os.path.join(HERE, "gen_handlers.py"),
                            str(args.tus), project], check=True, stdout=subprocess.DEVNULL)
        cache = os.path.join(work, "cache")
        start = time.monotonic()
        subprocess.run([check, "-p", project, "-q", "--cache-dir", cache],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        print(f"warming the cache: forksafe-check -p ({args.tus + 1} TUs): "
              f"{time.monotonic() - start:.2f}s")

        entries = json.load(open(os.path.join(project, "compile_commands.json")))
        entry = next(e for e in entries if e["file"].endswith("handler_0000.cpp"))
        path = entry["file"]
        uri = "file://" + path
        text = open(path).read()

        client = Client([check, "--lsp", "--cache-dir", cache])
        client.request("initialize", {"processId": os.getpid(), "rootUri": "file://" + project,
                                      "capabilities": {}})
        client.notify("initialized", {})
        start = time.monotonic()
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "cpp", "version": 1, "text": text}})
        at, first = client.wait(published(uri, 1))
        print(f"first analysis (didOpen -> publishDiagnostics, facts from the cache): "
              f"{at - start:.2f}s, {len(first['params']['diagnostics'])} diagnostics")

        lsp, clang = [], []
        for r in range(args.rounds):
            version = r + 2
            edited = text + f"\nint g_bench_edit_{r} = {r};\n"
            start = time.monotonic()
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": edited}]})
            at, _ = client.wait(published(uri, version))
            lsp.append(at - start)
            start = time.monotonic()
            subprocess.run(syntax_only_argv(entry), cwd=entry["directory"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            clang.append(time.monotonic() - start)
            print(f"round {r + 1}: didChange -> publishDiagnostics {lsp[-1]:.3f}s   "
                  f"clang++-19 -fsyntax-only {clang[-1]:.3f}s")
        client.request("shutdown", None)
        client.notify("exit", None)
        client.proc.wait(timeout=30)

        m_lsp, m_clang = statistics.median(lsp), statistics.median(clang)
        print()
        print(f"{'median over ' + str(args.rounds) + ' edits':32} {'seconds':>8}")
        print(f"{'didChange -> publishDiagnostics':32} {m_lsp:8.3f}")
        print(f"{'clang++-19 -fsyntax-only (file)':32} {m_clang:8.3f}")
        print(f"{'ratio (target <= 1.2x)':32} {m_lsp / m_clang:7.2f}x")


if __name__ == "__main__":
    main()
