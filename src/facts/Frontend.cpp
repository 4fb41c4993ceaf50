// One LibTooling run per source file, with diagnostics reduced to the first error.
//
// Each file is parsed on a thread of its own with a large stack (kParseStackSize; only the pages
// touched are ever allocated), and that thread notes the bottom of its stack for clang. Clang's
// parser and Sema recurse on the shape of the source: `a = a = ... = 1`, a chain of `?:`, or
// `x + 1 + 1 ...` (which Sema checks recursively) take a few hundred bytes of stack per term, so
// 20,000 terms overflow the 8 MiB of a default thread. A stack overflow cannot be recovered from
// (the crash handler has no stack left to run on) and would take the whole run down.
#include "facts/Frontend.h"

#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/Stack.h>
#include <clang/Driver/Driver.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Tooling/ArgumentsAdjusters.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/Support/CrashRecoveryContext.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Process.h>
#include <llvm/Support/VirtualFileSystem.h>

#include "facts/BuildFacts.h"

namespace forksafe {
namespace {

// 100,000 nested terms need about 45 MiB; more than this is not C++ anyone compiles.
constexpr unsigned kParseStackSize = 256u << 20;

// Counts errors and keeps the first one, formatted clang-style on one line.
class FirstErrorConsumer : public clang::DiagnosticConsumer {
 public:
  void HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                        const clang::Diagnostic& info) override {
    DiagnosticConsumer::HandleDiagnostic(level, info);
    if (level < clang::DiagnosticsEngine::Error || !first.empty()) return;
    llvm::SmallString<128> text;
    info.FormatDiagnostic(text);
    if (info.hasSourceManager() && info.getLocation().isValid()) {
      clang::PresumedLoc p = info.getSourceManager().getPresumedLoc(info.getLocation());
      if (p.isValid())
        first = std::string(llvm::sys::path::filename(p.getFilename())) + ":" +
                std::to_string(p.getLine()) + ":" + std::to_string(p.getColumn()) + ": ";
    }
    first += text.str();
  }
  std::string first;
};

class CollectConsumer : public clang::ASTConsumer {
 public:
  CollectConsumer(const CollectorOptions& options, TUOutcome& out) : options_(options), out_(out) {}
  void HandleTranslationUnit(clang::ASTContext& ast) override {
    if (ast.getDiagnostics().hasErrorOccurred()) return;  // a broken AST would only mislead
    out_.facts.push_back(collectFacts(ast, options_));
    // Every file the parse read: what a cached result depends on.
    clang::SourceManager& sm = ast.getSourceManager();
    for (auto it = sm.fileinfo_begin(); it != sm.fileinfo_end(); ++it) {
      llvm::SmallString<256> path(it->first.getName());
      sm.getFileManager().makeAbsolutePath(path);
      // Not "..": a lexical collapse is wrong across symlinks (/lib -> /usr/lib).
      llvm::sys::path::remove_dots(path, /*remove_dot_dot=*/false);
      out_.dependencies.push_back(std::string(path));
    }
  }

 private:
  const CollectorOptions& options_;
  TUOutcome& out_;
};

class CollectAction : public clang::ASTFrontendAction {
 public:
  CollectAction(const CollectorOptions& options, TUOutcome& out) : options_(options), out_(out) {}
  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance&,
                                                        llvm::StringRef) override {
    return std::make_unique<CollectConsumer>(options_, out_);
  }

 private:
  const CollectorOptions& options_;
  TUOutcome& out_;
};

class CollectFactory : public clang::tooling::FrontendActionFactory {
 public:
  CollectFactory(const CollectorOptions& options, TUOutcome& out) : options_(options), out_(out) {}
  std::unique_ptr<clang::FrontendAction> create() override {
    return std::make_unique<CollectAction>(options_, out_);
  }

 private:
  const CollectorOptions& options_;
  TUOutcome& out_;
};

}  // namespace

TUOutcome runFrontend(const clang::tooling::CompilationDatabase& db, const std::string& file,
                      const FrontendOptions& options, const CollectorOptions& collector,
                      llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> fs) {
  TUOutcome outcome;
  outcome.file = file;
  // ClangTool aborts the process when a command's directory is missing: check first.
  for (const clang::tooling::CompileCommand& command : db.getCompileCommands(file)) {
    if (command.CommandLine.empty()) {
      outcome.error = "its compile command is empty";
      return outcome;
    }
    if (!llvm::sys::fs::is_directory(command.Directory)) {
      outcome.error = "the compile command's directory '" + command.Directory + "' does not exist";
      return outcome;
    }
  }
  clang::tooling::ClangTool tool(db, {file}, std::make_shared<clang::PCHContainerOperations>(),
                                 fs ? fs : llvm::vfs::createPhysicalFileSystem());
  tool.setPrintErrorMessage(false);
  // A GCC command line: clang leaves out what it does not know instead of failing the parse.
  tool.appendArgumentsAdjuster([](const clang::tooling::CommandLineArguments& args,
                                  llvm::StringRef) { return clangCompatibleCommand(args); });
  std::string resourceDir = options.resourceDir;
  tool.appendArgumentsAdjuster(
      [resourceDir](const clang::tooling::CommandLineArguments& args, llvm::StringRef) {
        clang::tooling::CommandLineArguments out = args;
        bool has = false;
        for (const std::string& a : args) has |= llvm::StringRef(a).starts_with("-resource-dir");
        if (!has && !resourceDir.empty() && !out.empty())
          out.insert(out.begin() + 1, "-resource-dir=" + resourceDir);
        return out;
      });
  if (!options.extraArgsBefore.empty())
    tool.appendArgumentsAdjuster(clang::tooling::getInsertArgumentAdjuster(
        options.extraArgsBefore, clang::tooling::ArgumentInsertPosition::BEGIN));
  // Warnings are not ours to report, and -Werror in a project's flags must not fail the parse.
  // Without carets clang does not print its own "N errors generated." on stderr.
  clang::tooling::CommandLineArguments tail = options.extraArgs;
  tail.insert(tail.end(), {"-w", "-Wno-error", "-ferror-limit=5", "-fno-caret-diagnostics"});
  tool.appendArgumentsAdjuster(
      clang::tooling::getInsertArgumentAdjuster(tail, clang::tooling::ArgumentInsertPosition::END));
  FirstErrorConsumer diagnostics;
  tool.setDiagnosticConsumer(&diagnostics);
  CollectFactory factory(collector, outcome);
  // A crash inside clang or the analysis on one file must not take down the whole run: it
  // becomes that file's error.
  int status = 1;
  llvm::CrashRecoveryContext::Enable();
  llvm::CrashRecoveryContext recovery;
  auto parse = [&] {
    clang::noteBottomOfStack();
    status = tool.run(&factory);
  };
  if (!recovery.RunSafelyOnThread(parse, kParseStackSize)) {
    outcome.facts.clear();
    outcome.dependencies.clear();
    outcome.error = "the analysis crashed on this file (please report it with the file attached)";
    return outcome;
  }
  if (status != 0 || diagnostics.getNumErrors() > 0 || outcome.facts.empty()) {
    outcome.error =
        diagnostics.first.empty() ? "the compiler could not process it" : diagnostics.first;
    return outcome;
  }
  outcome.ok = true;
  return outcome;
}

std::string findResourceDir(const char* argv0) {
  if (auto env = llvm::sys::Process::GetEnv("FORKSAFE_CLANG_RESOURCE_DIR"))
    if (llvm::sys::fs::is_directory(*env)) return *env;
#ifdef FORKSAFE_CLANG_RESOURCE_DIR
  if (llvm::sys::fs::is_directory(FORKSAFE_CLANG_RESOURCE_DIR)) return FORKSAFE_CLANG_RESOURCE_DIR;
#endif
  std::string exe =
      llvm::sys::fs::getMainExecutable(argv0, reinterpret_cast<void*>(&findResourceDir));
  return clang::driver::Driver::GetResourcesPath(exe);
}

}  // namespace forksafe
