#!/usr/bin/env python3
"""Replays Gunicorn's request corpus (tests/requests/{valid,invalid}/NAME.http + NAME.py in a
Gunicorn checkout) against forksafe-serve running the echo app, and prints a table.

    tests/conformance/replay_gunicorn.py GUNICORN_CHECKOUT [--serve BIN] [--app ECHO_SO]
                                         [--worker event|sync|threads] [--split whole|bytes|random]

Valid cases must reach the handler with the same method, raw target, version, header list, body
and trailers; invalid ones must be refused (an error status or a closed connection) with nothing
reaching the handler. Cases that need a Gunicorn setting forksafe-serve does not have (PROXY
protocol, obs-fold or lower-case methods permitted, WSGI header mapping, forwarded headers) are
listed as "not applicable"; limit settings are passed on as --limit-* options. Nothing from the
corpus is stored in this repository. Loopback only; every server is stopped at exit."""
import argparse, importlib.machinery, os, random, re, socket, subprocess, sys, tempfile, time, types

LIMITS = {"limit_request_line": "--limit-request-line", "limit_request_fields": "--limit-request-fields",
          "limit_request_field_size": "--limit-request-field-size"}

def stub_gunicorn():
    class Errors(types.ModuleType):
        def __getattr__(self, name):
            if name.startswith("__"): raise AttributeError(name)
            return type(name, (Exception,), {})
    class Config:
        def __init__(self): self.settings = {}
        def set(self, k, v): self.settings[k] = v
    sys.modules["gunicorn"] = types.ModuleType("gunicorn")
    for m in ("gunicorn.http", "gunicorn.http.errors", "gunicorn.config", "gunicorn.util"):
        sys.modules[m] = Errors(m)
    sys.modules["gunicorn.config"].Config = Config
    return Config

def load_expectation(path, config_cls):
    mod = types.ModuleType("case")
    mod.uri = lambda raw: {"raw": raw}
    mod.cfg = config_cls()
    importlib.machinery.SourceFileLoader("case", path).exec_module(mod)
    return mod.request, mod.cfg.settings

def load_wire(path):  # Gunicorn's notation: file newlines are not data; \r\n \0 \n \t \xHH escapes
    d = open(path, "rb").read().replace(b"\n", b"").replace(b"\\r\\n", b"\r\n")
    d = d.replace(b"\\0", b"\0").replace(b"\\n", b"\n").replace(b"\\t", b"\t")
    return re.sub(rb"\\x([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), d)

def unescape(s):  # the echo app's notation
    return re.sub(r"\\(x[0-9A-F]{2}|r|n|t|\\)", lambda m: {"r": "\r", "n": "\n", "t": "\t", "\\": "\\"}.get(
        m.group(1)) or chr(int(m.group(1)[1:], 16)), s)

class Server:
    def __init__(self, args, worker, extra):
        self.dir = tempfile.mkdtemp(prefix="fs-replay-")
        self.handled_log = os.path.join(self.dir, "handled.log")
        open(self.handled_log, "w").close()
        self.errlog = os.path.join(self.dir, "server.log")
        self.proc = subprocess.Popen([args.serve, "-b", "127.0.0.1:0", "-w", "1", "-k", worker] + extra + [args.app],
                                     stderr=open(self.errlog, "w"), env=dict(os.environ, FORKSAFE_ECHO_LOG=self.handled_log),
                                     start_new_session=True)
        deadline = time.time() + 15
        while time.time() < deadline:
            m = re.search(r"Listening at: http://127.0.0.1:(\d+)", open(self.errlog).read())
            if m and "Booted worker" in open(self.errlog).read():
                self.port = int(m.group(1)); return
            time.sleep(0.05)
        self.stop(); sys.exit("forksafe-serve did not start: " + open(self.errlog).read()[-300:])

    def handled(self):
        return sum(1 for _ in open(self.handled_log))

    def exchange(self, data, split, rng):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            i = 0
            while i < len(data):
                n = len(data) if split == "whole" else 1 if split == "bytes" else rng.randint(1, max(1, len(data) // 5))
                s.sendall(data[i:i + n]); i += n
                if split != "whole": time.sleep(0.0002)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        raw = b""
        try:
            while True:
                b = s.recv(65536)
                if not b: break
                raw += b
        except OSError:
            pass
        s.close()
        return raw

    def stop(self):
        self.proc.terminate()
        try: self.proc.wait(10)
        except subprocess.TimeoutExpired: self.proc.kill()

def responses(raw):
    out = []
    while raw:
        head, sep, rest = raw.partition(b"\r\n\r\n")
        if not sep: break
        status = int(head.split(b" ")[1]); length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length": length = int(v)
        if status >= 200: out.append((status, rest[:length]))
        raw = rest[length:]
    return out

def seen(body):
    d = {"headers": [], "trailers": []}
    for line in body.decode("latin-1").split("\n"):
        k, _, v = line.partition(" ")
        if k in ("header", "trailer"):
            n, _, val = v.partition(": "); d[k + "s"].append((unescape(n).upper(), unescape(val)))
        elif k: d[k] = unescape(v)
    return d

def compare(want, got):
    problems = []
    if got["method"] != want["method"]: problems.append(f"method {got['method']!r}")
    if got["target"] != want["uri"]["raw"]: problems.append(f"target {got['target']!r}")
    if got["version"] != "%d.%d" % want["version"]: problems.append(f"version {got['version']}")
    if got["headers"] != [(n.upper(), v) for n, v in want["headers"]]: problems.append(f"headers {got['headers']}")
    body = want["body"] if isinstance(want["body"], str) else want["body"].decode("latin-1")
    if got["body"] != body: problems.append("body differs")
    if "trailers" in want and got["trailers"] != [(n.upper(), v) for n, v in want["trailers"]]:
        problems.append(f"trailers {got['trailers']}")
    return problems

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    build = os.path.join(here, "..", "..", "build")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gunicorn"); ap.add_argument("--worker", default="event")
    ap.add_argument("--split", default="whole", choices=["whole", "bytes", "random"])
    ap.add_argument("--serve", default=os.path.join(build, "runtime", "forksafe-serve"))
    ap.add_argument("--app", default=os.path.join(build, "tests", "runtime", "echo_app.so"))
    args = ap.parse_args()
    config_cls = stub_gunicorn()
    rng = random.Random(7)
    servers = {}
    tally = {"valid": [0, 0], "invalid": [0, 0]}
    not_applicable = []
    try:
        for kind in ("valid", "invalid"):
            folder = os.path.join(args.gunicorn, "tests", "requests", kind)
            if not os.path.isdir(folder): sys.exit(f"no {folder}: pass the root of a Gunicorn checkout")
            for name in sorted(f[:-5] for f in os.listdir(folder) if f.endswith(".http")):
                want, cfg = load_expectation(os.path.join(folder, name + ".py"), config_cls)
                odd = sorted(k for k, v in cfg.items() if k not in LIMITS or (k != "limit_request_fields" and 0 < v < 16))
                if odd:  # forksafe-serve refuses limits under 16 bytes; 0 means the default in both
                    not_applicable.append(f"{kind}/{name} ({', '.join(odd)})"); continue
                extra = [x for k, v in sorted(cfg.items()) if v > 0 for x in (LIMITS[k], str(v))]
                key = tuple(extra)
                if key not in servers: servers[key] = Server(args, args.worker, extra)
                srv = servers[key]
                before = srv.handled()
                got = responses(srv.exchange(load_wire(os.path.join(folder, name + ".http")), args.split, rng))
                time.sleep(0.01)
                handled = srv.handled() - before
                if kind == "valid":
                    reqs = want if isinstance(want, list) else [want]
                    if args.worker == "sync": reqs = reqs[:1]
                    problems = [] if len(got) >= len(reqs) else [f"{len(got)} responses for {len(reqs)} requests"]
                    for w, (status, body) in zip(reqs, got):
                        problems += [f"status {status}"] if status != 200 else compare(w, seen(body))
                else:
                    problems = [] if not handled and not any(s == 200 for s, _ in got) else [
                        f"accepted (statuses {[s for s, _ in got]}, {handled} reached the handler)"]
                tally[kind][0 if not problems else 1] += 1
                print(f"{'ok  ' if not problems else 'FAIL'} {kind}/{name}: " + ("; ".join(problems) or
                      ("refused " + (str([s for s, _ in got]) if got else "(closed)") if kind == "invalid" else "parsed identically")))
    finally:
        for s in servers.values(): s.stop()
    print(f"\nworker {args.worker}, split {args.split}:")
    for kind, (ok, bad) in tally.items():
        print(f"  {kind:8} {ok:4} passed {bad:4} failed")
    print(f"  not applicable (Gunicorn-only settings): {len(not_applicable)}")
    for n in not_applicable: print("    " + n)
    return 1 if tally["valid"][1] or tally["invalid"][1] else 0

if __name__ == "__main__":
    sys.exit(main())
