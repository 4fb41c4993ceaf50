// Rule forksafe-per-worker-state: static-storage state written on a request path diverges between
// worker processes.
#pragma once

#include "Check.h"

namespace forksafe {

class PerWorkerStateCheck : public Check {
 public:
  llvm::StringRef id() const override { return "forksafe-per-worker-state"; }
  Severity defaultSeverity() const override { return Severity::Error; }
  llvm::StringRef summary() const override;
  llvm::StringRef help() const override;
  void check(const CheckContext& ctx, std::vector<Finding>& out) const override;
};

}  // namespace forksafe
