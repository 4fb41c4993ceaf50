// The robustness tests' shared pieces (robustness_*_test.cpp): the seeded PRNG, file and process
// helpers, the crash signatures every run is checked for, and the stand-in standard library.
//
// Hostile input for the built forksafe-check: thousands of randomly mutated sources, malformed
// compilation databases and corrupt cache entries. Every run must end by itself within a time
// bound, with status 0, 1 or 2 and no crash, and must name each file it could not check.
//
// Everything is driven by one seeded PRNG (FORKSAFE_ROBUSTNESS_SEED, printed on failure), so a
// failure reproduces exactly; FORKSAFE_ROBUSTNESS_COUNT sets the number of mutated sources. The
// seed programs are the rule fixtures, the evaluation apps and the runtime examples, compiled
// against tests/check/robustness/include/prelude.h instead of the real standard library: the
// real headers cost two seconds a file, the stand-in a few milliseconds, and the checker's
// robustness is about the shapes of the input, not about libstdc++. The inputs of a failing run
// are kept under robustness-failures/ in the build directory.
#pragma once

#include <llvm/ADT/StringRef.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "test_util.h"

namespace forksafe::robustness {

using forksafe::test::ProcessResult;
using forksafe::test::read_file;
using forksafe::test::TempDir;

constexpr int kBatchSize = 25;           // files per checker invocation
constexpr int kInvocationSeconds = 120;  // wall-clock bound of one invocation

uint64_t envNumber(const char* name, uint64_t fallback);
uint64_t seedFromEnv();

// splitmix64: the same sequence on every platform and standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return n ? static_cast<size_t>(next() % n) : 0; }
  bool chance(int percent) { return below(100) < static_cast<size_t>(percent); }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

 private:
  uint64_t state_;
};

// Writes `text` to `path`, creating parent folders.
void writeFile(const std::string& path, const std::string& text);
std::vector<std::string> listFiles(const std::string& dir, llvm::StringRef ext, bool recursive);
// `s` `n` times over.
std::string repeat(const std::string& s, size_t n);
size_t countOf(const std::string& text, const std::string& needle);
std::vector<std::string> linesOf(const std::string& text);

// What no run may print: LLVM's crash reports, failed assertions, and the checker's own message
// for a crash it recovered from (a recovered crash is still a bug).
std::string crashSignature(const ProcessResult& r);
// Termination, status and crash signature: what every run must satisfy.
std::string basicProblems(const ProcessResult& r);
// Runs `argv` bounded by kInvocationSeconds.
ProcessResult runBounded(const std::vector<std::string>& argv);

// The stand-in standard library: every header name the seeds (and the runtime headers) include
// is a one-line file that includes prelude.h.
void writeFakeStdHeaders(const std::string& dir);
// The rule fixtures, the evaluation apps and the runtime examples.
std::vector<std::string> seedSources();

// Where the inputs of a failing run are kept.
std::string keepFailure(const std::string& what,
                        const std::vector<std::pair<std::string, std::string>>& files);
std::string shellQuote(const std::string& s);
std::string commandLine(const std::vector<std::string>& argv);

}  // namespace forksafe::robustness
