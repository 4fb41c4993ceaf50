// The checker's JSON report (forksafe-check --format=json), as read by --static-report and
// --require-clean.
#ifndef FORKSAFE_SERVE_VERIFY_FINDINGS_HPP
#define FORKSAFE_SERVE_VERIFY_FINDINGS_HPP

#include <string>
#include <vector>

namespace forksafe::serve::verify {

struct Finding {
  std::string rule;
  std::string severity;
  std::string file;
  int line = 0;
  std::string symbol;
  std::string mangled;
  std::string message;
};

/// Parses `{"version":1,"findings":[...],"errors":[...]}`. Fails with a one-line `error` for a
/// missing file, text that is not JSON, or JSON that is not a version-1 checker report.
bool read_findings(const std::string& path, std::vector<Finding>* out, std::string* error);

/// Findings that make a multi-worker run wrong: forksafe-per-worker-state at error severity.
std::vector<Finding> per_worker_errors(const std::vector<Finding>& findings);

/// "(anonymous namespace)::visits (counter.cpp:11), g_hits (app.cpp:4)".
std::string name_findings(const std::vector<Finding>& findings);

}  // namespace forksafe::serve::verify

#endif  // FORKSAFE_SERVE_VERIFY_FINDINGS_HPP
