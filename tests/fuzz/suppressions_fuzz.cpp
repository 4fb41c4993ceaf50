// Fuzzes NOLINT, NOLINTNEXTLINE and NOLINTBEGIN/NOLINTEND comment reading (Suppressions, GlobList).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "report/Suppressions.h"

namespace {

constexpr const char* kRules[] = {"forksafe-per-worker-state", "forksafe-prefork-rng"};
// Every query builds glob lists from the markers in force; bound the work per input.
constexpr unsigned kMaxLines = 200;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = forksafe::fuzz::scratch_dir() + "/source.cpp";
  forksafe::fuzz::write_file(path, data, size);
  const llvm::StringRef text(reinterpret_cast<const char*>(data), size);
  forksafe::Suppressions suppressions;
  unsigned lineNo = 0;
  for (llvm::StringRef rest = text; lineNo < kMaxLines;) {
    auto [line, tail] = rest.split('\n');
    ++lineNo;
    // A bare NOLINT (no list, not one of the longer markers) silences every rule on its line.
    size_t pos = line.find("NOLINT");
    bool bare = pos != llvm::StringRef::npos &&
                (pos + 6 == line.size() ||
                 llvm::StringRef("(NBE").find(line[pos + 6]) == llvm::StringRef::npos);
    for (const char* rule : kRules) {
      bool hit = suppressions.suppressed(rule, forksafe::Location{path, lineNo, 1});
      if (bare) FUZZ_REQUIRE(hit);
    }
    if (tail.data() == nullptr) break;  // no newline left: that was the last line
    rest = tail;
  }
  // Location 0 is "no location": never suppressed; lines past the end cost nothing.
  FUZZ_REQUIRE(!suppressions.suppressed(kRules[0], forksafe::Location{path, 0, 0}));
  (void)suppressions.suppressed(kRules[0], forksafe::Location{path, lineNo + 1, 1});
  return 0;
}
