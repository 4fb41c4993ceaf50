// Rule forksafe-prefork-rng: an RNG seeded before fork makes every worker emit the same sequence.
#pragma once

#include "Check.h"

namespace forksafe {

class PreforkRngCheck : public Check {
 public:
  llvm::StringRef id() const override { return "forksafe-prefork-rng"; }
  Severity defaultSeverity() const override { return Severity::Error; }
  llvm::StringRef summary() const override;
  llvm::StringRef help() const override;
  void check(const CheckContext& ctx, std::vector<Finding>& out) const override;
};

}  // namespace forksafe
