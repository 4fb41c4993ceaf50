// Where a value stored into static storage comes from, for the pre-fork rules: the source of a
// random engine's seed (identical in every replica or not) and whether a mapping is shared memory.
#pragma once

#include <clang/AST/ASTContext.h>
#include <clang/AST/Expr.h>

#include <string>

namespace forksafe {

// Where a seed comes from (see EventFact::seed): "random" (std::random_device, getrandom, a pid),
// "clock" (time(), clock_gettime, *_clock::now()), "constant" (an integer constant, or no
// argument: the engine's default seed; `e` null) or "unknown". `e` is the seed argument or the
// initializer of an engine.
std::string seedSource(const clang::Expr* e, clang::ASTContext& ast);

// Whether the mapping a call to mmap or shmat returns is shared between processes: mmap with
// MAP_SHARED (or flags that cannot be evaluated), shmat always.
bool mapsSharedMemory(const clang::CallExpr& call, clang::ASTContext& ast);

}  // namespace forksafe
