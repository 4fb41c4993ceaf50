// Extracts the facts of one function body (or one static initializer): calls, callables passed
// on, accesses to static-storage variables with their lock context, and pre-fork events.
#pragma once

#include <clang/AST/DeclCXX.h>
#include <clang/AST/Expr.h>

#include "facts/CollectorContext.h"

namespace forksafe {

// Analyses the body of `fn` (constructor initializers included).
void analyzeFunctionBody(CollectorContext& ctx, const clang::FunctionDecl& fn);

// Analyses the initializer of a namespace-scope or static member variable as the body of the
// pseudo-function `initId`.
void analyzeStaticInitializer(CollectorContext& ctx, const clang::VarDecl& var,
                              const std::string& initId);

}  // namespace forksafe
