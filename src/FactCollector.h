// Turns one parsed translation unit into TUFacts.
#pragma once

#include "Facts.h"
#include "Frameworks.h"

#include <clang/AST/ASTContext.h>

#include <string>
#include <vector>

namespace forksafe {

struct CollectorOptions {
  // Functions whose qualified name matches one of these (searched, like grep) are handler roots.
  std::vector<std::string> handlerPatterns;
  // The frameworks whose registrations make handler roots; null: the built-in table.
  const FrameworkTable* frameworks = nullptr;
};

TUFacts collectFacts(clang::ASTContext& ast, const CollectorOptions& options);

}  // namespace forksafe
