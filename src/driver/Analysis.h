// forksafe-check's whole-program analysis as a library: settings per source, facts (parsed or from
// the cache) on -j threads, the link, the rules, and each finding filtered by its own file's
// settings. The command line (tool/CheckTool.cpp) and the tests drive it.
#pragma once

#include <llvm/Support/raw_ostream.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "driver/Options.h"
#include "report/Finding.h"

namespace forksafe {

struct AnalysisStats {
  size_t checked = 0;     // sources whose facts entered the program
  size_t cached = 0;      // of those, taken from the facts cache
  size_t fromBuild = 0;   // of those, linked from the facts the build wrote
  size_t suppressed = 0;  // findings suppressed by NOLINT
  size_t library = 0;     // findings in, or only written from, library code (not reported)
};

class Analysis {
 public:
  // Problems are reported on `err` as they are found ("forksafe-check: error: ..."); those about
  // a source also end up in the report's errors.
  Analysis(const Options& options, llvm::raw_ostream& err, const char* argv0);
  ~Analysis();

  // Prints the checks enabled for the current directory (--list-checks); returns the exit status.
  int listChecks(llvm::raw_ostream& out);
  // Analyses the options' sources (every file of the database with -p and no sources). Nothing
  // when the run cannot start (an invalid regex, a missing database, no input), already reported.
  std::optional<Report> run();
  std::vector<RuleInfo> rules() const;
  const AnalysisStats& stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace forksafe
