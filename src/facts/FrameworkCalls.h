// AST helpers for framework registrations: route and method arguments, Crow's chained methods,
// and finding a serving call inside a thread body.
#pragma once

#include <clang/AST/Expr.h>

#include <string>

#include "facts/CollectorContext.h"

namespace forksafe {

// The text of the string literal an argument is built from ("/users" for std::string("/users")),
// or empty.
std::string literalText(const clang::Expr* e);

// The HTTP method an argument names: a string literal ("GET"), or the first enumerator or
// constant it mentions (drogon's {Get, Post}, cpprestsdk's methods::GET), upper-cased.
std::string methodText(const clang::Expr* e);

// The `"POST"_method` literals written between a macro-started call and its handler argument
// ("GET,POST" for .methods("GET"_method, "POST"_method)), or empty.
std::string chainedMethods(CollectorContext& ctx, const clang::CallExpr* call,
                           const clang::Expr* handler);

// The framework whose serving function `body` calls (`what` gets the function's name), or null.
const Framework* servingCallIn(CollectorContext& ctx, const clang::Stmt* body, std::string& what);

// The role a parameter gives to the callable passed to it: a framework can annotate its
// registration functions (forksafe::App::get's handler parameter is FORKSAFE_HANDLER).
RootKind parameterRole(const clang::FunctionDecl* callee, unsigned index);

}  // namespace forksafe
