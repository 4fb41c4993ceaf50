// Turns one parsed translation unit into TUFacts.
#pragma once

#include <clang/AST/ASTContext.h>

#include <string>
#include <vector>

#include "config/Frameworks.h"
#include "facts/Facts.h"

namespace forksafe {

struct CollectorOptions {
  // Functions whose qualified name matches one of these (searched, like grep) are handler roots.
  std::vector<std::string> handlerPatterns;
  // --system-headers: also track variables declared in system headers (library code, reported
  // only with --system-headers). Function bodies in system headers are never analysed.
  bool systemHeaders = false;
  // The frameworks whose registrations make handler roots; null: the built-in table.
  const FrameworkTable* frameworks = nullptr;
};

TUFacts collectFacts(clang::ASTContext& ast, const CollectorOptions& options);

}  // namespace forksafe
