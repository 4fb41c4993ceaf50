// Rule forksafe-prefork-thread: a thread started before fork does not exist in the workers.
#pragma once

#include "Check.h"

namespace forksafe {

class PreforkThreadCheck : public Check {
 public:
  llvm::StringRef id() const override { return "forksafe-prefork-thread"; }
  Severity defaultSeverity() const override { return Severity::Error; }
  llvm::StringRef summary() const override;
  llvm::StringRef help() const override;
  void check(const CheckContext& ctx, std::vector<Finding>& out) const override;
};

}  // namespace forksafe
