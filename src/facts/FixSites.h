// What fixes need from a variable's declaration (VariableFact::fix), computed while the AST is at
// hand.
#pragma once

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>

#include <memory>
#include <string>
#include <vector>

#include "facts/Facts.h"

namespace forksafe {

// Fills fact.fix from `shown`, the declaration fact.loc points at (the definition when the TU has
// it): offsets of the declaration, its line end and the includes of its file. atomicType is only
// a candidate's until decideAtomicFixes() has seen every use.
class FixSiteCollector {
 public:
  explicit FixSiteCollector(clang::ASTContext& ast);
  ~FixSiteCollector();
  void collect(const clang::VarDecl& shown, VariableFact& fact);

 private:
  struct Includes;
  clang::ASTContext& ast_;
  std::unique_ptr<Includes> includes_;  // scanned once, on first use
};

// Why `var` cannot become std::atomic<T> with every use still valid and meaning what it meant,
// or "" when it can (docs/checks/forksafe-unsynchronized-state.md lists the conditions). Walks
// the uses in the main file; only variables no other file can name are candidates.
std::string atomicBlocker(clang::ASTContext& ast, const clang::VarDecl& var);

// Sets fix.atomicType for every variable of `vars` that atomicBlocker() accepts, walking the
// main file once for all of them.
void decideAtomicFixes(clang::ASTContext& ast,
                       const std::vector<std::pair<const clang::VarDecl*, VariableFact*>>& vars);

}  // namespace forksafe
