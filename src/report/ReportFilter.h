// Which findings of a whole-program analysis are reported: the files or lines asked about (named
// sources with -p, --diff, --line-filter) and a baseline.
//
// The analysis always covers the whole program; a filter only decides what is shown. A finding
// belongs to a file, or to changed lines, through its anchors: its declaration, every offending
// site (the writes, opens, starts, seeds and uses) and every call on a path from a root (a
// handler, or init code) to the functions holding those sites (Note::calls). So a handler in
// app.cpp that writes, through Store::put() in store.cpp, a singleton defined in store.cpp is
// reported for app.cpp (the call on the path, and here also the write) as well as for store.cpp
// (the declaration).
#pragma once

#include <llvm/ADT/StringRef.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "report/Finding.h"

namespace forksafe {

// The declaration, the sites and the calls of the notes (Note::calls); sorted, no duplicates.
std::vector<Location> anchors(const Finding& f);

class ReportFilter {
 public:
  // Report only findings with an anchor in `file`: an absolute path is compared with the
  // anchor's path; a relative name matches a path that ends in "/<name>" (clang-tidy's
  // --line-filter). addFile and addLines add up: a finding is in scope if any of them selects it.
  void addFile(const std::string& file);
  // ... or with an anchor on lines [first, last] (1-based, inclusive) of `file`.
  void addLines(const std::string& file, unsigned first, unsigned last);
  // Report only what addFile and addLines select, even when they select nothing (an empty diff
  // reports nothing); the first addFile or addLines does this too.
  void restrictToAdded() { restricted_ = true; }
  // Leave out findings whose fingerprint is one of these (a baseline).
  void excludeFingerprints(std::set<std::string> fingerprints);

  bool restricted() const { return restricted_; }
  bool hasBaseline() const { return !baseline_.empty(); }
  bool inScope(const Finding& f) const;
  bool inBaseline(const Finding& f) const { return baseline_.count(f.fingerprint) != 0; }
  bool selects(const Finding& f) const { return inScope(f) && !inBaseline(f); }
  // Whether a location is in scope (every location is when nothing restricts the filter).
  bool covers(const Location& loc) const;

 private:
  struct FileScope {
    std::string name;
    bool whole = false;
    std::vector<std::pair<unsigned, unsigned>> lines;
  };
  FileScope& scope(const std::string& file);
  std::vector<FileScope> files_;
  std::set<std::string> baseline_;
  bool restricted_ = false;
};

}  // namespace forksafe
