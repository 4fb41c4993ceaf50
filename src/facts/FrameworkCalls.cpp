// AST helpers for framework registrations (see FrameworkCalls.h).
#include "facts/FrameworkCalls.h"

#include <clang/AST/ExprCXX.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Lex/Lexer.h>
#include <llvm/Support/Regex.h>

#include <vector>

namespace forksafe {

using namespace clang;

// The text of a string literal an argument is built from ("/users" for std::string("/users")).
std::string literalText(const Expr* e) {
  for (int guard = 0; e && guard < 8; ++guard) {
    e = e->IgnoreImplicit()->IgnoreParens();
    if (const auto* s = dyn_cast<StringLiteral>(e))
      return s->getCharByteWidth() == 1 ? s->getString().str() : "";
    if (const auto* c = dyn_cast<CXXConstructExpr>(e); c && c->getNumArgs() >= 1) {
      e = c->getArg(0);
    } else if (const auto* cast = dyn_cast<CXXFunctionalCastExpr>(e)) {
      e = cast->getSubExpr();
    } else if (const auto* temporary = dyn_cast<MaterializeTemporaryExpr>(e)) {
      e = temporary->getSubExpr();
    } else {
      return "";
    }
  }
  return "";
}

// The HTTP method an argument names: a string literal ("GET"), or the first enumerator or
// constant it mentions (drogon's {Get, Post}, cpprestsdk's methods::GET), upper-cased.
std::string methodText(const Expr* e) {
  if (std::string s = literalText(e); !s.empty()) return llvm::StringRef(s).upper();
  std::vector<const Stmt*> work{e};
  for (size_t i = 0; i < work.size() && i < 64; ++i) {
    if (!work[i]) continue;
    if (const auto* ref = dyn_cast<DeclRefExpr>(work[i])) {
      if (const auto* id = ref->getDecl()->getIdentifier()) return id->getName().upper();
    }
    for (const Stmt* child : work[i]->children()) work.push_back(child);
  }
  return "";
}

std::string chainedMethods(CollectorContext& ctx, const CallExpr* call, const Expr* handler) {
  const SourceManager& sm = ctx.ast().getSourceManager();
  SourceLocation begin = sm.getExpansionLoc(call->getBeginLoc());
  SourceLocation end = sm.getExpansionLoc(handler->getBeginLoc());
  if (sm.getFileID(begin) != sm.getFileID(end) || !sm.isBeforeInTranslationUnit(begin, end))
    return "";
  llvm::StringRef text =
      Lexer::getSourceText(CharSourceRange::getCharRange(begin, end), sm, ctx.ast().getLangOpts());
  llvm::Regex literal("\"([A-Za-z]+)\"_method");
  std::string methods;
  llvm::SmallVector<llvm::StringRef, 2> groups;
  while (literal.match(text, &groups)) {
    methods += (methods.empty() ? "" : ",") + groups[1].upper();
    text = text.substr(groups[0].end() - text.begin());
  }
  return methods;
}

const Framework* servingCallIn(CollectorContext& ctx, const Stmt* body, std::string& what) {
  std::vector<const Stmt*> work{body};
  for (size_t i = 0; i < work.size() && i < 4096; ++i) {
    if (!work[i]) continue;
    if (const auto* call = dyn_cast<CallExpr>(work[i])) {
      const FunctionDecl* fn = call->getDirectCallee();
      if (fn && fn->getDeclName().isIdentifier() && ctx.frameworks().mayMatch(fn->getName())) {
        bool blocking = false;  // either way the thread serves while the caller goes on
        if (const Framework* fw =
                ctx.frameworks().serving(CollectorContext::plainQualifiedName(fn), blocking)) {
          what = fn->getName().str();
          return fw;
        }
      }
    }
    for (const Stmt* child : work[i]->children()) work.push_back(child);
  }
  return nullptr;
}

RootKind parameterRole(const clang::FunctionDecl* callee, unsigned index) {
  if (!callee) return RootKind::None;
  const clang::FunctionDecl* candidates[] = {callee, callee->getTemplateInstantiationPattern()};
  for (const clang::FunctionDecl* fn : candidates) {
    if (!fn || index >= fn->getNumParams()) continue;
    for (const auto* attr : fn->getParamDecl(index)->specific_attrs<clang::AnnotateAttr>()) {
      llvm::StringRef what = attr->getAnnotation();
      if (what == "forksafe::handler") return RootKind::Handler;
      if (what == "forksafe::init") return RootKind::Init;
      if (what == "forksafe::worker_init") return RootKind::WorkerInit;
    }
  }
  return RootKind::None;
}

}  // namespace forksafe
