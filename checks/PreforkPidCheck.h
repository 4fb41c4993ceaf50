// Rule forksafe-prefork-pid: a pid cached before fork is the master's pid in every worker.
#pragma once

#include "Check.h"

namespace forksafe {

class PreforkPidCheck : public Check {
 public:
  llvm::StringRef id() const override { return "forksafe-prefork-pid"; }
  Severity defaultSeverity() const override { return Severity::Warning; }
  llvm::StringRef summary() const override;
  llvm::StringRef help() const override;
  void check(const CheckContext& ctx, std::vector<Finding>& out) const override;
};

}  // namespace forksafe
