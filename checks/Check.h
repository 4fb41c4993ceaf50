// The interface every rule implements: metadata for --list-checks and SARIF, and check().
#pragma once

#include <llvm/ADT/StringRef.h>

#include <vector>

#include "model/Model.h"
#include "report/Finding.h"
#include "report/Fixes.h"
#include "report/Suppressions.h"

namespace forksafe {

struct CheckContext {
  const Model& model;
  Suppressions& suppressions;  // NOLINT at an offending site drops that site
};

class Check {
 public:
  virtual ~Check() = default;
  virtual llvm::StringRef id() const = 0;
  virtual Severity defaultSeverity() const = 0;
  virtual llvm::StringRef summary() const = 0;  // one sentence
  virtual llvm::StringRef help() const = 0;     // why it matters and how to fix it
  virtual void check(const CheckContext& ctx, std::vector<Finding>& out) const = 0;

 protected:
  Finding makeFinding(const VariableFact& var) const {
    Finding f;
    f.rule = id().str();
    f.severity = defaultSeverity();
    f.loc = var.loc;
    f.symbol = var.name;
    f.mangled = var.mangled;
    f.fixes = fixesFor(f.rule, var);
    return f;
  }
  // A finding at a call with no variable (srand(), a thread nobody keeps).
  Finding makeFinding(const Location& loc, const std::string& api) const {
    Finding f;
    f.rule = id().str();
    f.severity = defaultSeverity();
    f.loc = loc;
    f.symbol = api;
    f.fixes = nolintFixFor(f.rule, loc);
    return f;
  }
};

}  // namespace forksafe
