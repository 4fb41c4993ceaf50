// Turns one parsed translation unit into TUFacts.
#pragma once

#include "Facts.h"

#include <clang/AST/ASTContext.h>

#include <string>
#include <vector>

namespace forksafe {

struct CollectorOptions {
  // Functions whose qualified name matches one of these (searched, like grep) are handler roots.
  std::vector<std::string> handlerPatterns;
};

TUFacts collectFacts(clang::ASTContext& ast, const CollectorOptions& options);

}  // namespace forksafe
