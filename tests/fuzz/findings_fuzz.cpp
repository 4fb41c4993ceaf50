// Fuzzes forksafe-serve's reader of the checker's JSON report (--static-report, --require-clean).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "verify/findings.hpp"

namespace verify = forksafe::serve::verify;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = forksafe::fuzz::scratch_dir() + "/findings.json";
  forksafe::fuzz::write_file(path, data, size);
  std::vector<verify::Finding> findings;
  std::string error;
  if (!verify::read_findings(path, &findings, &error)) {
    // Bad input: one line naming the file, nothing read.
    FUZZ_REQUIRE(!error.empty() && error.find('\n') == std::string::npos);
    FUZZ_REQUIRE(error.rfind("cannot read checker report '" + path + "'", 0) == 0);
    FUZZ_REQUIRE(findings.empty());
    return 0;
  }
  FUZZ_REQUIRE(error.empty());
  std::vector<verify::Finding> errors = verify::per_worker_errors(findings);
  FUZZ_REQUIRE(errors.size() <= findings.size());
  for (const verify::Finding& f : errors)
    FUZZ_REQUIRE(f.rule == "forksafe-per-worker-state" && f.severity == "error");
  std::string names = verify::name_findings(errors);
  FUZZ_REQUIRE(errors.empty() == names.empty());
  return 0;
}
