// Enumerates the functions, variables and overrides of a TU and hands each body to BodyAnalyzer.
#include "facts/FactCollector.h"

#include <clang/AST/RecursiveASTVisitor.h>

#include "facts/BodyAnalyzer.h"
#include "facts/CollectorContext.h"

namespace forksafe {
namespace {

using namespace clang;

class DeclEnumerator : public RecursiveASTVisitor<DeclEnumerator> {
 public:
  explicit DeclEnumerator(CollectorContext& ctx) : ctx_(ctx) {}

  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitImplicitCode() const { return false; }

  // Nothing in system headers is reported or walked: their bodies only slow us down.
  bool TraverseDecl(Decl* d) {
    if (d && !isa<TranslationUnitDecl>(d) && ctx_.isInSystemHeader(d)) return true;
    return RecursiveASTVisitor::TraverseDecl(d);
  }

  bool VisitFunctionDecl(FunctionDecl* fn) {
    if (fn->doesThisDeclarationHaveABody() && !fn->isDependentContext() && !fn->isDeleted() &&
        !fn->isDefaulted() && !fn->isInvalidDecl())
      functions_.push_back(fn);
    return true;
  }

  bool VisitCXXMethodDecl(CXXMethodDecl* method) {
    if (method->isDependentContext()) return true;
    for (const CXXMethodDecl* base : method->overridden_methods()) {
      ctx_.facts().overrides.push_back({ctx_.functionId(method), ctx_.functionId(base)});
    }
    if (method->size_overridden_methods() != 0 && method->getIdentifier() &&
        method->doesThisDeclarationHaveABody())
      markFrameworkOverride(method);
    return true;
  }

  // An override of a framework's handler method (POCO's HTTPRequestHandler::handleRequest),
  // directly or through intermediate classes, is a handler.
  void markFrameworkOverride(const CXXMethodDecl* method) {
    std::vector<const CXXMethodDecl*> work(method->begin_overridden_methods(),
                                           method->end_overridden_methods());
    for (size_t i = 0; i < work.size() && i < 64; ++i) {
      const CXXMethodDecl* base = work[i];
      if (auto entry = ctx_.frameworks().base(
              CollectorContext::plainQualifiedName(base->getParent()), method->getName())) {
        ctx_.markRoot(ctx_.functionId(method), RootKind::Handler, entry->framework->name);
        ctx_.sawFramework(entry->framework->name);
        return;
      }
      work.insert(work.end(), base->begin_overridden_methods(), base->end_overridden_methods());
    }
  }

  bool VisitLambdaExpr(LambdaExpr* e) {
    const CXXMethodDecl* op = e->getCallOperator();
    if (op->isDependentContext() && !op->getDescribedFunctionTemplate()) return true;
    if (const FunctionTemplateDecl* tmpl = op->getDescribedFunctionTemplate()) {
      for (FunctionDecl* spec : tmpl->specializations())
        if (spec->hasBody() && !spec->isDependentContext()) functions_.push_back(spec);
    } else if (op->hasBody()) {
      functions_.push_back(const_cast<CXXMethodDecl*>(op));
    }
    return true;
  }

  bool VisitVarDecl(VarDecl* var) {
    if (isa<ParmVarDecl>(var) || var->isLocalVarDecl() || !var->hasGlobalStorage()) return true;
    const VariableFact* fact = ctx_.variable(var);
    if (!fact) return true;
    if (var->getInit() && var->isThisDeclarationADefinition() != VarDecl::DeclarationOnly)
      staticInits_.push_back({var, "init:" + fact->id});
    return true;
  }

  void run() {
    TraverseDecl(ctx_.ast().getTranslationUnitDecl());
    for (const auto& [var, initId] : staticInits_) {
      FunctionFact init;
      init.id = initId;
      init.name = "the static initializer of '" + var->getQualifiedNameAsString() + "'";
      init.loc = ctx_.location(var->getLocation());
      init.isStaticInit = true;
      ctx_.facts().functions.push_back(std::move(init));
      analyzeStaticInitializer(ctx_, *var, initId);
    }
    for (const FunctionDecl* fn : functions_) {
      if (!ctx_.addFunction(fn)) continue;
      analyzeFunctionBody(ctx_, *fn);
    }
    ctx_.finishRoots();
    ctx_.finishFixes();
  }

 private:
  CollectorContext& ctx_;
  std::vector<FunctionDecl*> functions_;
  std::vector<std::pair<const VarDecl*, std::string>> staticInits_;
};

}  // namespace

TUFacts collectFacts(clang::ASTContext& ast, const CollectorOptions& options) {
  std::vector<llvm::Regex> patterns;
  for (const std::string& p : options.handlerPatterns) patterns.emplace_back(p);
  FrameworkIndex frameworks(options.frameworks ? *options.frameworks : builtinFrameworks());
  CollectorContext ctx(ast, std::move(patterns), frameworks);
  ctx.setTrackSystemVariables(options.systemHeaders);
  DeclEnumerator(ctx).run();
  ctx.facts().handlerPatterns = !options.handlerPatterns.empty();
  return std::move(ctx.facts());
}

}  // namespace forksafe
