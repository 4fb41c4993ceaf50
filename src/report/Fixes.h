// The edits a finding offers (Finding::fixes), and applying them (--fix) or exporting them as
// clang-tidy's YAML (--export-fixes) for clang-apply-replacements.
#pragma once

#include <llvm/Support/raw_ostream.h>

#include <string>
#include <vector>

#include "report/Finding.h"

namespace forksafe {

// The fixes for a finding of `rule` at a variable, best first: std::atomic<T> (unsynchronized
// state whose every use stays valid), FORKSAFE_PER_WORKER (per-worker state, when a per-process
// copy is intended) and a `// NOLINT(rule): <why this is safe>` comment.
std::vector<Fix> fixesFor(const std::string& rule, const VariableFact& var);
// A NOLINT comment for a finding at a call (no variable), at the end of loc's line as read from
// disk.
std::vector<Fix> nolintFixFor(const std::string& rule, const Location& loc);

// A fix that only declares intent (FORKSAFE_PER_WORKER, NOLINT) rather than removing the
// problem: clang-tidy's fixes "in notes", applied only with --fix-notes.
bool declaresIntent(const Fix& fix);
// The fix --fix applies for a finding: the first that removes the problem; with `notes`, failing
// that, the first that declares intent. nullptr: none.
const Fix* chosenFix(const Finding& finding, bool notes);

struct FixResult {
  unsigned suggested = 0;  // findings with a chosen fix
  unsigned applied = 0;
  std::vector<std::string> files;     // files written
  std::vector<std::string> problems;  // "cannot apply ... : reason", one line each
};
// Applies the chosen fix of every finding; fixes that overlap an earlier one are skipped.
FixResult applyFixes(const std::vector<Finding>& findings, bool notes);

// clang-tidy's --export-fixes YAML (clang::tooling::TranslationUnitDiagnostics): every finding
// with its chosen fix as the diagnostic's replacements, its notes as notes.
void exportFixes(const std::vector<Finding>& findings, bool notes, const std::string& mainFile,
                 const std::string& buildDirectory, llvm::raw_ostream& out);

}  // namespace forksafe
