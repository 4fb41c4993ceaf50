// forksafe-check's whole-program analysis as a library: settings per source, facts (parsed or from
// the cache) on -j threads, the link, the rules, and each finding filtered by its own file's
// settings. The command line (tool/CheckTool.cpp) and the tests drive it.
#pragma once

#include <llvm/ADT/IntrusiveRefCntPtr.h>
#include <llvm/Support/VirtualFileSystem.h>
#include <llvm/Support/raw_ostream.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "driver/Options.h"
#include "report/Finding.h"
#include "report/ReportFilter.h"

namespace forksafe {

struct TUOutcome;

// A long-lived caller's part in getting facts (the language server): facts it kept from an
// earlier run, and the file system parses and NOLINT comments are read from (unsaved buffers over
// the disk). The methods are called from the -j threads at once.
class FactsSource {
 public:
  virtual ~FactsSource() = default;
  // Moves out the facts kept for `file` when they are still valid for this cache key. Otherwise
  // returns false, and `useCache` false when the facts cache (which knows only the disk) must not
  // be used for this file.
  virtual bool reuse(const std::string& file, const std::string& key, TUOutcome& out,
                     bool& useCache) = 0;
  // What a parse reads; a new one per call (a parse sets its working directory).
  virtual llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> fileSystem() = 0;
  // After a parse: may replace a failed outcome (with the last facts of the file that compiled).
  virtual void parsed(const std::string& file, TUOutcome& outcome) = 0;
  // Whether a parse's outcome may go into the facts cache (not when it read unsaved text).
  virtual bool cacheable(const TUOutcome& outcome) = 0;
  // A source's facts are ready (kept, cached or parsed): for progress reports.
  virtual void done(const std::string& file) = 0;
  // At the end of run(): each source's outcome, for the caller to keep.
  virtual void keep(const std::string& file, const std::string& key, TUOutcome outcome) = 0;
};

struct AnalysisStats {
  size_t checked = 0;     // sources whose facts entered the program
  size_t cached = 0;      // of those, taken from the facts cache
  size_t fromBuild = 0;   // of those, linked from the facts the build wrote
  size_t suppressed = 0;  // findings suppressed by NOLINT
  size_t library = 0;     // findings in, or only written from, library code (not reported)
  size_t reported = 0;    // with -p and named sources: how many (the program is the database)
  size_t outOfScope = 0;  // findings the report filter's files or lines left out
  size_t inBaseline = 0;  // findings left out because the baseline has them
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
  //
  // The analysis always covers the whole program; `filter` selects what is reported, after the
  // options add their scopes to it: with -p, named sources (the other files of the database are
  // analysed too, from the facts cache when possible), --line-filter, --diff and --baseline.
  // Each reported finding carries its fingerprint.
  std::optional<Report> run(ReportFilter filter = {});
  std::vector<RuleInfo> rules() const;
  // Before run(): facts and files come through `source` first (not owned).
  void setFactsSource(FactsSource* source);
  const AnalysisStats& stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace forksafe
