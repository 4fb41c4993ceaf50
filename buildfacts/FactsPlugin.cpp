// libforksafe-facts.so: a clang-19 plugin that writes the facts of the translation unit being
// compiled (`foo.o.forksafe`), from the AST the compiler already built, for forksafe-check to link.
//
//   clang++-19 -fplugin=libforksafe-facts.so [-fplugin-arg-forksafe-facts-out=DIR] -c foo.cpp
//
// The action runs after the main action (code generation) and only reads the AST, so the object
// file is byte-identical with and without the plugin. It never fails the compile: when the facts
// cannot be written it prints one line and forksafe-check analyses the file itself.
#include <clang/AST/ASTConsumer.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Basic/Stack.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendPluginRegistry.h>
#include <llvm/Support/CrashRecoveryContext.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Support/xxhash.h>

#include "config/Config.h"
#include "facts/BuildFacts.h"
#include "facts/FactCollector.h"

namespace forksafe {
namespace {

// As in the checker's frontend: deep expressions recurse in the analysis.
constexpr unsigned kCollectStackSize = 256u << 20;

// The compiler's own command line: with clang's default in-process cc1 the process arguments
// are the driver's, exactly as the build (and compile_commands.json) wrote them.
std::vector<std::string> processCommand() {
  std::vector<std::string> args;
  auto buffer = llvm::MemoryBuffer::getFileAsStream("/proc/self/cmdline");
  if (!buffer) return args;
  llvm::StringRef rest = (*buffer)->getBuffer();
  while (!rest.empty()) {
    auto [arg, tail] = rest.split('\0');
    args.push_back(arg.str());
    rest = tail;
  }
  return args;
}

std::string absolutePath(llvm::StringRef path, const std::string& cwd) {
  llvm::SmallString<256> buf(path);
  if (!llvm::sys::path::is_absolute(buf)) {
    llvm::SmallString<256> base(cwd);
    llvm::sys::path::append(base, buf);
    buf = base;
  }
  llvm::sys::path::remove_dots(buf, /*remove_dot_dot=*/true);
  return std::string(buf);
}

void warn(const std::string& message) {
  llvm::errs() << "forksafe-facts: warning: " << message << "\n";
}

class FactsConsumer : public clang::ASTConsumer {
 public:
  FactsConsumer(clang::CompilerInstance& ci, std::string factsDir)
      : ci_(ci), factsDir_(std::move(factsDir)) {}

  void HandleTranslationUnit(clang::ASTContext& ast) override {
    if (ast.getDiagnostics().hasErrorOccurred()) return;  // the compile fails anyway
    const std::string& output = ci_.getFrontendOpts().OutputFile;
    if (output.empty() || output == "-") return;  // no object: nothing to name the facts after
    llvm::SmallString<256> cwd;
    llvm::sys::fs::current_path(cwd);
    std::string dir(cwd);
    std::string object = absolutePath(output, dir);
    std::string path = factsPath(object, factsDir_);
    clang::SourceManager& sm = ast.getSourceManager();
    auto mainEntry = sm.getFileEntryRefForID(sm.getMainFileID());
    if (!mainEntry) return;
    BuildFacts facts;
    facts.fingerprint = analysisFingerprint();
    facts.source = absolutePath(mainEntry->getName(), dir);
    facts.directory = dir;
    facts.command = normalizedCommand(processCommand());

    ConfigFinder configs;
    auto config = configs.forSource(facts.source);
    if (!config) {
      warn("no facts for '" + facts.source + "': " + llvm::toString(config.takeError()));
      return;
    }
    CollectorSettings settings = settingsFromConfig(*config);
    facts.settings = settings.key();
    CollectorOptions collector;
    collector.handlerPatterns = settings.handlerPatterns;
    collector.systemHeaders = settings.systemHeaders;
    collector.frameworks = settings.frameworks.get();

    llvm::CrashRecoveryContext recovery;
    bool done = recovery.RunSafelyOnThread(
        [&] {
          clang::noteBottomOfStack();
          facts.facts.push_back(collectFacts(ast, collector));
        },
        kCollectStackSize);
    if (!done) {
      warn("no facts for '" + facts.source +
           "': the analysis crashed (forksafe-check will "
           "analyse it; please report it with the file attached)");
      return;
    }
    // Every file the compile read, hashed from the buffers the compiler already holds.
    ContentHasher disk;
    for (auto it = sm.fileinfo_begin(); it != sm.fileinfo_end(); ++it) {
      llvm::SmallString<256> file(it->first.getName());
      sm.getFileManager().makeAbsolutePath(file);
      llvm::sys::path::remove_dots(file, /*remove_dot_dot=*/false);
      std::optional<uint64_t> hash;
      if (auto buffer = it->second->getBufferIfLoaded())
        hash = llvm::xxh3_64bits(llvm::arrayRefFromStringRef(buffer->getBuffer()));
      else
        hash = disk.hash(std::string(file));
      if (!hash) {
        warn("no facts for '" + facts.source + "': cannot read '" + std::string(file) + "'");
        return;
      }
      facts.dependencies.emplace_back(std::string(file), *hash);
    }
    if (std::string why = writeBuildFacts(facts, path); !why.empty()) warn(why);
  }

 private:
  clang::CompilerInstance& ci_;
  std::string factsDir_;
};

class FactsAction : public clang::PluginASTAction {
 protected:
  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance& ci,
                                                        llvm::StringRef) override {
    return std::make_unique<FactsConsumer>(ci, factsDir_);
  }

  bool ParseArgs(const clang::CompilerInstance& ci, const std::vector<std::string>& args) override {
    for (const std::string& arg : args) {
      llvm::StringRef a(arg);
      if (a.consume_front("facts-out=")) {
        factsDir_ = a.str();
      } else {
        clang::DiagnosticsEngine& diags = ci.getDiagnostics();
        diags.Report(diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                           "forksafe-facts: unknown plugin argument '%0' (known: "
                                           "-fplugin-arg-forksafe-facts-out=DIR)"))
            << arg;
        return false;
      }
    }
    return true;
  }

  ActionType getActionType() override { return AddAfterMainAction; }

 private:
  std::string factsDir_;
};

}  // namespace
}  // namespace forksafe

// The registry entry clang looks up by name: plugin "forksafe" (clang splits
// -fplugin-arg-forksafe-facts-out=DIR into plugin "forksafe", argument "facts-out=DIR").
// NOLINTNEXTLINE(forksafe-*): the registration is built once when the plugin is loaded.
static clang::FrontendPluginRegistry::Add<forksafe::FactsAction> registration(
    "forksafe", "write forksafe facts next to the object file");
