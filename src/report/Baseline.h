// Fingerprints that identify a finding across runs, and baseline files made of them
// (--baseline, --write-baseline; schema in docs/ci.md).
#pragma once

#include <llvm/Support/Error.h>

#include <set>
#include <string>
#include <vector>

#include "report/Finding.h"

namespace forksafe {

// The directory fingerprints and baselines are relative to: the top of the git work tree that
// holds `dir` (the nearest ancestor with a .git), else `dir` itself.
std::string projectRoot(const std::string& dir);

// Sets Finding::fingerprint: a hash of the rule, the variable (its mangled name; the API for a
// finding at a call), the file relative to `root` and the text of the finding's line with all
// white space removed, so moving code, re-indenting it or editing other lines keeps it. Findings
// equal in all of that get "#2", "#3"... in the order of their locations.
void assignFingerprints(std::vector<Finding>& findings, const std::string& root);

// The fingerprints of a baseline file; an error names the file and what is wrong with it.
llvm::Expected<std::set<std::string>> readBaseline(const std::string& path);

// Writes `findings` (with their fingerprints) as a baseline file.
llvm::Error writeBaseline(const std::vector<Finding>& findings, const std::string& root,
                          const std::string& toolVersion, const std::string& path);

}  // namespace forksafe
