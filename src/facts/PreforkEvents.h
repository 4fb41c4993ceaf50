// The pre-fork events of one function body, a helper of BodyAnalyzer: threads started,
// descriptors opened, pids captured and engines seeded (EventFact), each with the storage it is
// kept in, and what pointer-like statics are aimed at (PointsToFact).
#pragma once

#include <clang/AST/Expr.h>
#include <llvm/ADT/DenseMap.h>

#include <string>
#include <vector>

#include "facts/CollectorContext.h"
#include "facts/StorageResolver.h"

namespace forksafe {

class PreforkEvents {
 public:
  // `fnId` is the analysed function's id, read at each event (BodyAnalyzer renames it when the
  // function starts serving).
  PreforkEvents(CollectorContext& ctx, const std::string& fnId, StorageResolver& storage)
      : ctx_(ctx), fnId_(fnId), storage_(storage) {}

  void add(EventKind kind, clang::SourceLocation loc, std::string api, const Base* target,
           std::string seed = "");
  // C APIs that act through their arguments: pthread_create, srand, sqlite3_open(&db), pipe(fds).
  void apiCall(const clang::FunctionDecl& fn, const clang::CallExpr* call);
  // Records what storing `value` into `target` carries: descriptors, threads, pids, and the user
  // functions whose results are stored (resolved by the Model).
  void store(const clang::Expr* value, const Base& target);
  // The API name when `e` directly opens a descriptor (`socket(...)`, `std::ofstream(path)`, or a
  // local initialised by one), else "".
  std::string directOpener(const clang::Expr* e) const;
  // A local variable initialised by a descriptor-opening call.
  void noteLocalOpener(const clang::VarDecl* var, std::string api) { localOpeners_[var] = api; }

 private:
  // What a store into a pointer-like static aims it at (see PointsToFact). Null stores aim it
  // nowhere and are not recorded.
  void recordAim(const clang::Expr* value, const std::string& pointerId);
  void scanStore(const clang::Stmt* s, const Base& target, std::vector<std::string>& callees);

  CollectorContext& ctx_;
  const std::string& fnId_;
  StorageResolver& storage_;
  llvm::DenseMap<const clang::VarDecl*, std::string> localOpeners_;
};

}  // namespace forksafe
