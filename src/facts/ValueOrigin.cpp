// Where stored values come from, for the pre-fork rules (see ValueOrigin.h).
#include "facts/ValueOrigin.h"

#include <clang/AST/ExprCXX.h>

#include "facts/TypeClassify.h"

namespace forksafe {

using namespace clang;

namespace {

bool constantSeed(const Expr* e, ASTContext& ast) {
  e = e->IgnoreImplicit()->IgnoreParens();
  if (const auto* temp = dyn_cast<MaterializeTemporaryExpr>(e))
    return constantSeed(temp->getSubExpr(), ast);
  if (const auto* cast = dyn_cast<ExplicitCastExpr>(e))
    return constantSeed(cast->getSubExpr(), ast);
  if (const auto* construct = dyn_cast<CXXConstructExpr>(e)) {
    for (const Expr* arg : construct->arguments())
      if (!isa<CXXDefaultArgExpr>(arg) && !constantSeed(arg, ast)) return false;
    return true;  // no argument: the engine's default seed
  }
  if (isa<CXXDefaultArgExpr>(e)) return true;
  if (e->isValueDependent() || e->isTypeDependent()) return false;
  return e->isIntegerConstantExpr(ast);
}

void scanSeed(const Stmt* s, bool& random, bool& clock) {
  if (!s || isa<LambdaExpr>(s)) return;
  auto typeIs = [](QualType t, llvm::StringRef what) {
    std::string name = recordName(t);
    return llvm::StringRef(name).ends_with(what);
  };
  if (const auto* construct = dyn_cast<CXXConstructExpr>(s)) {
    if (typeIs(construct->getType(), "random_device")) random = true;
  } else if (const auto* call = dyn_cast<CallExpr>(s)) {
    if (const FunctionDecl* fn = call->getDirectCallee(); fn && fn->getIdentifier()) {
      llvm::StringRef name = fn->getName();
      const auto* method = dyn_cast<CXXMethodDecl>(fn);
      if (method && typeIs(QualType(method->getParent()->getTypeForDecl(), 0), "random_device"))
        random = true;
      else if (!method && (name == "getrandom" || name == "getentropy" || name == "arc4random" ||
                           name == "RAND_bytes" || isPidFunction(name)))
        random = true;
      else if (!method && (name == "time" || name == "clock" || name == "clock_gettime" ||
                           name == "gettimeofday"))
        clock = true;
      else if (method && method->isStatic() && name == "now")
        clock = true;  // std::chrono::*_clock::now() and look-alikes
    }
  }
  for (const Stmt* child : s->children()) scanSeed(child, random, clock);
}

}  // namespace

std::string seedSource(const Expr* e, ASTContext& ast) {
  if (!e) return "constant";
  bool random = false, clock = false;
  scanSeed(e, random, clock);
  if (random) return "random";
  if (clock) return "clock";
  return constantSeed(e, ast) ? "constant" : "unknown";
}

// mmap with MAP_SHARED (or flags we cannot evaluate), or shmat: memory all processes share.
bool mapsSharedMemory(const CallExpr& call, ASTContext& ast) {
  const FunctionDecl* fn = call.getDirectCallee();
  if (!fn || !fn->getName().starts_with("mmap") || call.getNumArgs() < 4) return true;
  Expr::EvalResult flags;
  if (!call.getArg(3)->EvaluateAsInt(flags, ast)) return true;
  constexpr int64_t kMapShared = 0x01;  // Linux <sys/mman.h>; MAP_SHARED_VALIDATE has it too
  return (flags.Val.getInt().getExtValue() & kMapShared) != 0;
}

}  // namespace forksafe
