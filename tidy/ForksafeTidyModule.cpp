// libforksafe-tidy.so: the forksafe-* rules as clang-tidy checks (clang-tidy-19 --load=...).
//
// Each check sees one translation unit: its facts are linked alone, so a handler in another file
// that writes this file's global is not seen (docs/clang-tidy.md). The rules, messages, notes and
// fixes are forksafe-check's; clang-tidy owns Checks, WarningsAsErrors, NOLINT and the header
// filter.
#include <clang-tidy/ClangTidyCheck.h>
#include <clang-tidy/ClangTidyModule.h>
#include <clang-tidy/ClangTidyModuleRegistry.h>
#include <clang/ASTMatchers/ASTMatchFinder.h>
#include <clang/ASTMatchers/ASTMatchers.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Regex.h>

#include <memory>

#include "CheckRegistry.h"
#include "config/Config.h"
#include "config/Frameworks.h"
#include "facts/FactCollector.h"
#include "model/Link.h"
#include "model/Model.h"
#include "report/Fixes.h"
#include "report/Suppressions.h"

namespace forksafe {
namespace {

using namespace clang;

// The findings of every rule for the translation unit being checked, computed by whichever
// check runs first and shared by the others (one instance per clang-tidy run).
class SharedAnalysis {
 public:
  const std::vector<Finding>& findings(ASTContext& ast) {
    if (&ast == ast_ && mainFile_ == mainFileOf(ast)) return findings_;
    ast_ = &ast;
    mainFile_ = mainFileOf(ast);
    findings_ = analyse(ast);
    return findings_;
  }

 private:
  static std::string mainFileOf(ASTContext& ast) {
    const SourceManager& sm = ast.getSourceManager();
    auto entry = sm.getFileEntryRefForID(sm.getMainFileID());
    return entry ? entry->getName().str() : std::string();
  }

  std::vector<Finding> analyse(ASTContext& ast) {
    CollectorOptions options;
    std::string deployment = "auto";
    std::shared_ptr<FrameworkTable> table;
    llvm::SmallString<256> main(mainFileOf(ast));
    ast.getSourceManager().getFileManager().makeAbsolutePath(main);
    // .forksafe.yaml still says how the program runs: handler patterns, frameworks, deployment.
    if (auto config = configs_.forSource(std::string(main)); config && *config) {
      options.handlerPatterns = (*config)->handlerPatterns;
      options.systemHeaders = (*config)->systemHeaders.value_or(false);
      deployment = (*config)->deployment.value_or("auto");
      if (!(*config)->frameworks.frameworks.empty()) {
        table = std::make_shared<FrameworkTable>(builtinFrameworks());
        table->append((*config)->frameworks);
        options.frameworks = table.get();
      }
    } else if (!config) {
      llvm::consumeError(config.takeError());  // clang-tidy reports no forksafe config errors
    }
    TUFacts facts = collectFacts(ast, options);
    TUFacts program = linkFacts({&facts});
    ModelOptions modelOptions;
    if (!facts.preforkHint.empty()) modelOptions.preforkHints[facts.mainFile] = facts.preforkHint;
    if (deployment != "auto")
      modelOptions.unitOverrides[facts.mainFile] =
          deployment == "prefork" ? Deployment::Prefork : Deployment::Replicas;
    Model model(program, std::move(modelOptions));
    Suppressions suppressions;
    CheckContext ctx{model, suppressions};
    std::set<std::string> system(program.systemHeaders.begin(), program.systemHeaders.end());
    std::vector<llvm::Regex> frameworkHeaders;
    for (const std::string& p : frameworkHeaderPatterns(table ? *table : builtinFrameworks()))
      frameworkHeaders.emplace_back(p);
    auto library = [&](const Location& loc) {
      if (system.count(loc.file)) return true;
      for (const llvm::Regex& r : frameworkHeaders)
        if (r.match(loc.file)) return true;
      return false;
    };
    std::vector<Finding> out;
    for (const auto& check : allChecks()) {
      std::vector<Finding> found;
      check->check(ctx, found);
      for (Finding& f : found) {
        // As forksafe-check: a finding whose every site is in library code is not reported.
        if (!f.sites.empty() && std::all_of(f.sites.begin(), f.sites.end(), library)) continue;
        out.push_back(std::move(f));
      }
    }
    return out;
  }

  const ASTContext* ast_ = nullptr;
  std::string mainFile_;
  std::vector<Finding> findings_;
  ConfigFinder configs_;
};

class ForksafeCheck : public tidy::ClangTidyCheck {
 public:
  ForksafeCheck(StringRef name, tidy::ClangTidyContext* context,
                std::shared_ptr<SharedAnalysis> shared)
      : ClangTidyCheck(name, context), rule_(name.str()), shared_(std::move(shared)) {}

  bool isLanguageVersionSupported(const LangOptions& lang) const override { return lang.CPlusPlus; }

  void registerMatchers(ast_matchers::MatchFinder* finder) override {
    finder->addMatcher(ast_matchers::translationUnitDecl().bind("tu"), this);
  }

  void check(const ast_matchers::MatchFinder::MatchResult& result) override {
    ASTContext& ast = *result.Context;
    SourceManager& sm = ast.getSourceManager();
    for (const Finding& f : shared_->findings(ast)) {
      if (f.rule != rule_) continue;
      SourceLocation at = locate(sm, f.loc);
      if (at.isInvalid()) continue;
      {
        DiagnosticBuilder d = diag(at, "%0") << f.message;
        if (const Fix* fix = chosenFix(f, /*notes=*/false)) addFixIts(d, sm, *fix);
      }
      for (const Note& n : f.notes)
        if (SourceLocation nl = locate(sm, n.loc); nl.isValid())
          diag(nl, "%0", DiagnosticIDs::Note) << n.message;
      // Fixes that declare intent are notes: clang-tidy applies them with --fix-notes only.
      for (const Fix& fix : f.fixes) {
        if (!declaresIntent(fix)) continue;
        DiagnosticBuilder d = diag(at, "%0", DiagnosticIDs::Note) << fix.description;
        addFixIts(d, sm, fix);
        break;  // clang-tidy's --fix-notes wants exactly one note with a fix
      }
    }
  }

 private:
  static SourceLocation locate(SourceManager& sm, const Location& loc) {
    if (!loc.valid()) return {};
    auto file = sm.getFileManager().getOptionalFileRef(loc.file);
    if (!file) return {};
    return sm.translateFileLineCol(*file, loc.line, loc.column ? loc.column : 1);
  }

  static void addFixIts(DiagnosticBuilder& d, SourceManager& sm, const Fix& fix) {
    for (const Replacement& r : fix.replacements) {
      auto file = sm.getFileManager().getOptionalFileRef(r.file);
      if (!file) continue;
      FileID fid = sm.translateFile(*file);
      if (fid.isInvalid()) continue;
      SourceLocation begin = sm.getLocForStartOfFile(fid).getLocWithOffset(r.offset);
      if (r.length == 0)
        d << FixItHint::CreateInsertion(begin, r.text);
      else
        d << FixItHint::CreateReplacement(
            CharSourceRange::getCharRange(begin, begin.getLocWithOffset(r.length)), r.text);
    }
  }

  std::string rule_;
  std::shared_ptr<SharedAnalysis> shared_;
};

class ForksafeModule : public tidy::ClangTidyModule {
 public:
  void addCheckFactories(tidy::ClangTidyCheckFactories& factories) override {
    auto shared = std::make_shared<SharedAnalysis>();
    for (const auto& check : allChecks()) {
      factories.registerCheckFactory(
          check->id(), [shared](StringRef name, tidy::ClangTidyContext* context) {
            return std::make_unique<ForksafeCheck>(name, context, shared);
          });
    }
  }
};

}  // namespace
}  // namespace forksafe

// The registry lives in clang-tidy itself; loading the library adds the module to it.
static clang::tidy::ClangTidyModuleRegistry::Add<forksafe::ForksafeModule>  // NOLINT
    forksafeModule("forksafe-module", "Adds the forksafe-* checks (pre-fork server safety).");
