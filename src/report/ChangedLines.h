// Changed lines as report scopes: clang-tidy's --line-filter JSON and `git diff -U0` hunks
// (--diff=REF), both added to a ReportFilter (see docs/ci.md).
#pragma once

#include <llvm/Support/Error.h>

#include <string>

#include "report/ReportFilter.h"

namespace forksafe {

// `[{"name":"src/app.cpp","lines":[[1,3],[5,5]]},{"name":"other.cpp"}]`: an entry without
// "lines" selects the whole file; a relative name matches any path ending in "/<name>".
llvm::Error addLineFilter(llvm::StringRef json, ReportFilter& filter);

// The new-side lines of every hunk of a unified diff with paths relative to `root` (what
// `git diff -U0` prints). A hunk that only deletes lines selects the lines on either side of the
// deletion, so removing a lock around a write selects the write.
llvm::Error addDiffHunks(llvm::StringRef diff, llvm::StringRef root, ReportFilter& filter);

// Runs `git diff -U0 <ref>` in `dir` (the working tree against `ref`) and adds its hunks. The
// error names what git said.
llvm::Error addGitDiff(const std::string& ref, const std::string& dir, ReportFilter& filter);

}  // namespace forksafe
