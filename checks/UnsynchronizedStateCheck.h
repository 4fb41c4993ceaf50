// Rule forksafe-unsynchronized-state: static-storage state written on a request path without a lock
// races under threaded workers.
#pragma once

#include "Check.h"

namespace forksafe {

class UnsynchronizedStateCheck : public Check {
 public:
  llvm::StringRef id() const override { return "forksafe-unsynchronized-state"; }
  Severity defaultSeverity() const override { return Severity::Warning; }
  llvm::StringRef summary() const override;
  llvm::StringRef help() const override;
  void check(const CheckContext& ctx, std::vector<Finding>& out) const override;
};

}  // namespace forksafe
