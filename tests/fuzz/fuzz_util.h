// Helpers shared by the fuzz targets: trapping invariant checks and a scratch file for readers that
// only take a path.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace forksafe::fuzz {

// Checks an invariant: on violation names it on stderr and traps, so libFuzzer keeps the input.
#define FUZZ_REQUIRE(cond)                                                                \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
      __builtin_trap();                                                                   \
    }                                                                                     \
  } while (0)

// A private directory for this process, under $TMPDIR or else /dev/shm (tmpfs keeps the many
// small writes cheap); removed when the process exits normally.
inline const std::string& scratch_dir() {
  static const std::string dir = [] {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/dev/shm") + "/forksafe-fuzz-XXXXXX";
    if (!mkdtemp(templ.data())) std::abort();
    return templ;
  }();
  // Registered after `dir` is complete, so it runs before dir's destructor.
  static const bool cleanup = std::atexit([] {
                                std::error_code ignored;
                                std::filesystem::remove_all(scratch_dir(), ignored);
                              }) == 0;
  (void)cleanup;
  return dir;
}

// Writes the input to `path` (replacing it) and returns the path.
inline std::string write_file(std::string path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

}  // namespace forksafe::fuzz
