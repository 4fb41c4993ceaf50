// Resolves which storage an lvalue designates (findBases): through member and array accesses,
// local reference/pointer/iterator aliases, and calls that return references into their object.
// It stops at the pointee of a pointer variable: using the object behind a global pointer does
// not write the pointer. Symbolic results (a parameter, what another function returns) are left
// for the Model, which sees every function.
#pragma once

#include <clang/AST/DeclCXX.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>
#include <llvm/ADT/DenseMap.h>

#include <optional>
#include <vector>

#include "facts/CollectorContext.h"

namespace forksafe {

// Looks through parentheses, temporaries and full-expression wrappers.
const clang::Expr* strip(const clang::Expr* e);
bool isNonConstLValueRef(clang::QualType t);
bool isPointerToNonConst(clang::QualType t);

class StorageResolver {
 public:
  StorageResolver(CollectorContext& ctx, const clang::FunctionDecl* fn) : ctx_(ctx), fn_(fn) {}

  // The storage `e` designates (with viaPointer: the object `e` points to).
  std::vector<Base> bases(const clang::Expr* e, bool viaPointer);
  // Inside a member function, storage of *this is the implicit object parameter.
  std::optional<Base> asTracked(const Base& base) const;

  // Local names for other storage, registered as the body is walked in order.
  llvm::DenseMap<const clang::VarDecl*, const clang::Expr*> refAliases;   // T& r = g;
  llvm::DenseMap<const clang::VarDecl*, const clang::Expr*> ptrAliases;   // T* p = &g;
  llvm::DenseMap<const clang::VarDecl*, const clang::Expr*> iterAliases;  // auto it = m.find(k);

 private:
  void findBases(const clang::Expr* e, bool viaPointer, std::vector<Base>& out, int depth);
  void findDeclBases(const clang::ValueDecl* decl, bool viaPointer, std::vector<Base>& out,
                     int depth);
  void findCallBases(const clang::CallExpr* call, bool viaPointer, std::vector<Base>& out,
                     int depth);

  CollectorContext& ctx_;
  const clang::FunctionDecl* fn_;
};

}  // namespace forksafe
