// Measures the per-request cost of --verify in isolation: Probe::after_request on a loaded app
// with no change (the common case), without sockets or wrk noise, with heap tracking off and on.
// Usage: verify_diff_bench APP.so [ITERATIONS]
#include <dlfcn.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "verify/elf_symbols.hpp"
#include "verify/probe.hpp"

namespace fv = forksafe::serve::verify;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: verify_diff_bench APP.so [ITERATIONS]\n");
    return 2;
  }
  const long n = argc > 2 ? std::atol(argv[2]) : 2000000;
  void* handle = ::dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    std::fprintf(stderr, "verify_diff_bench: cannot load '%s': %s\n", argv[1], ::dlerror());
    return 2;
  }
  fv::SymbolTable table;
  std::string error;
  if (!fv::read_object_symbols(argv[1], &table, &error)) {
    std::fprintf(stderr, "verify_diff_bench: %s\n", error.c_str());
    return 2;
  }
  for (std::uint64_t heap_limit : {std::uint64_t{0}, std::uint64_t{64} << 20}) {
    fv::Probe probe;
    if (!probe.start(argv[1], &table, "", heap_limit, &error)) {
      std::fprintf(stderr, "verify_diff_bench: %s\n", error.c_str());
      return 2;
    }
    auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i) probe.after_request("GET", "/", "/");
    std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    std::printf(
        "%s: %zu bytes of writable data, %zu data objects, heap tracking %s (%zu blocks, %zu "
        "bytes): %.1f ns per request\n",
        argv[1], probe.snapshot_bytes(), probe.indexed_symbols(), heap_limit ? "on" : "off",
        probe.heap() ? probe.heap()->blocks() : 0, probe.heap() ? probe.heap()->bytes() : 0,
        took.count() / static_cast<double>(n));
  }
  ::dlclose(handle);
  return 0;
}
