#!/usr/bin/env python3
"""Generates a codebase of N handler translation units for the checker benchmark.

Each TU includes heavy standard headers, defines handlers that touch globals (some guarded,
some not), helpers, a class with a virtual override, and calls into a shared store defined in
another TU, so the link phase has cross-TU work. Writes compile_commands.json next to the sources.
"""
import json
import os
import sys

HEADERS = ["algorithm", "atomic", "functional", "iostream", "map", "memory", "mutex", "random",
           "sstream", "string", "thread", "unordered_map", "vector"]


def tu(i: int) -> str:
    includes = "\n".join(f"#include <{h}>" for h in HEADERS)
    return f"""// Generated handler TU {i}.
{includes}
#include "forksafe/annotations.hpp"
#include "store.h"

namespace svc{i} {{
int g_hits = 0;
std::mutex g_mutex;
std::map<std::string, int> g_counts;
const int kLimit = {i % 97 + 3};

struct Handler : Base {{
  int handled = 0;
  void run(int n) override {{ handled += n; }}
}};

static std::string Render(const std::vector<int>& v) {{
  std::ostringstream out;
  for (int x : v) out << x << ',';
  return out.str();
}}

FORKSAFE_HANDLER std::string Get(const std::string& key) {{
  ++g_hits;
  {{
    std::lock_guard<std::mutex> lock(g_mutex);
    g_counts[key] += kLimit;
  }}
  Record(key);
  std::vector<int> v(static_cast<size_t>(kLimit));
  std::iota(v.begin(), v.end(), 0);
  std::sort(v.begin(), v.end(), std::greater<int>());
  return Render(v);
}}

int Count(const std::string& key) {{
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_counts.find(key);
  return it == g_counts.end() ? 0 : it->second;
}}
}}  // namespace svc{i}
"""


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: gen_handlers.py N DIR")
    n, root = int(sys.argv[1]), os.path.abspath(sys.argv[2])
    runtime_include = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                   "runtime", "include")
    os.makedirs(os.path.join(root, "src"), exist_ok=True)
    with open(os.path.join(root, "src", "store.h"), "w") as f:
        f.write("#pragma once\n#include <string>\n"
                "void Record(const std::string& key);\n"
                "struct Base { virtual ~Base() = default; virtual void run(int) = 0; };\n")
    with open(os.path.join(root, "src", "store.cpp"), "w") as f:
        f.write('#include "store.h"\n#include <vector>\n'
                "std::vector<std::string> g_log;\n"
                "void Record(const std::string& key) { g_log.push_back(key); }\n")
    files = [os.path.join(root, "src", "store.cpp")]
    for i in range(n):
        path = os.path.join(root, "src", f"handler_{i:04d}.cpp")
        with open(path, "w") as f:
            f.write(tu(i))
        files.append(path)
    commands = [{"directory": root, "file": p,
                 "arguments": ["clang++-19", "-std=c++17", "-I" + os.path.abspath(runtime_include),
                               "-I" + os.path.join(root, "src"), "-c", p]} for p in files]
    with open(os.path.join(root, "compile_commands.json"), "w") as f:
        json.dump(commands, f, indent=1)


if __name__ == "__main__":
    main()
