// Rule forksafe-prefork-descriptor: a descriptor opened before fork and used per request is shared
// by every worker.
#pragma once

#include "Check.h"

namespace forksafe {

class PreforkDescriptorCheck : public Check {
 public:
  llvm::StringRef id() const override { return "forksafe-prefork-descriptor"; }
  Severity defaultSeverity() const override { return Severity::Error; }
  llvm::StringRef summary() const override;
  llvm::StringRef help() const override;
  void check(const CheckContext& ctx, std::vector<Finding>& out) const override;
};

}  // namespace forksafe
