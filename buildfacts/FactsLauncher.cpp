// forksafe-facts: a compiler launcher (CMAKE_CXX_COMPILER_LAUNCHER=forksafe-facts) that runs the
// real compile and, from the same command line and at the same time, writes the facts
// forksafe-check links (`foo.o.forksafe`). Works with any compiler (GCC included): the facts come
// from clang's parse of the same command, with the flags clang does not know left out.
//
//   forksafe-facts [--facts-out=DIR] COMPILER ARGS...
//
// The compile's output and exit status pass through unchanged; a failed extraction never fails the
// build (one line on stderr; forksafe-check analyses that file itself).
#include <llvm/ADT/STLExtras.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Process.h>
#include <llvm/Support/raw_ostream.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "config/Config.h"
#include "facts/BuildFacts.h"
#include "facts/Frontend.h"

extern char** environ;

namespace forksafe {
namespace {

// The compile command, exactly as given, for the file being compiled.
class OneCommand : public clang::tooling::CompilationDatabase {
 public:
  explicit OneCommand(clang::tooling::CompileCommand command) : command_(std::move(command)) {}
  std::vector<clang::tooling::CompileCommand> getCompileCommands(llvm::StringRef) const override {
    return {command_};
  }
  std::vector<std::string> getAllFiles() const override { return {command_.Filename}; }

 private:
  clang::tooling::CompileCommand command_;
};

void warn(const std::string& message) {
  llvm::errs() << "forksafe-facts: warning: " << message << "\n";
}

// Facts of the compile `args` run in `directory`; "" when written (or when the command compiles
// nothing), else why not.
std::string extract(const std::vector<std::string>& args, const std::string& directory,
                    const std::string& factsDir, const char* argv0, std::string& written) {
  bool compiles = false;
  for (const std::string& a : args) compiles |= a == "-c";
  std::vector<std::string> sources = commandSources(args, directory);
  std::string object = commandOutput(args, directory);
  if (!compiles || sources.size() != 1 || object.empty())
    return "";  // not one source to one object
  const std::string& source = sources.front();
  ConfigFinder configs;
  auto config = configs.forSource(source);
  if (!config) return llvm::toString(config.takeError());
  CollectorSettings settings = settingsFromConfig(*config);
  CollectorOptions collector;
  collector.handlerPatterns = settings.handlerPatterns;
  collector.systemHeaders = settings.systemHeaders;
  collector.frameworks = settings.frameworks.get();
  FrontendOptions frontend;
  frontend.resourceDir = findResourceDir(argv0);
  OneCommand db(clang::tooling::CompileCommand(directory, source, args, object));
  TUOutcome outcome = runFrontend(db, source, frontend, collector);
  if (!outcome.ok) return "cannot parse '" + source + "': " + outcome.error;
  BuildFacts facts;
  facts.fingerprint = analysisFingerprint();
  facts.source = source;
  facts.directory = directory;
  facts.command = normalizedCommand(args);
  facts.settings = settings.key();
  facts.facts = std::move(outcome.facts);
  ContentHasher hasher;
  for (const std::string& dep : outcome.dependencies) {
    std::optional<uint64_t> hash = hasher.hash(dep);
    if (!hash) return "cannot read '" + dep + "'";
    facts.dependencies.emplace_back(dep, *hash);
  }
  written = factsPath(object, factsDir);
  return writeBuildFacts(facts, written);
}

int run(int argc, char** argv) {
  std::string factsDir;
  if (auto env = llvm::sys::Process::GetEnv("FORKSAFE_FACTS_DIR")) factsDir = *env;
  int first = 1;
  for (; first < argc; ++first) {
    llvm::StringRef a(argv[first]);
    if (a.consume_front("--facts-out=")) {
      factsDir = a.str();
    } else if (a == "--help" || a == "-h") {
      llvm::outs() << "usage: forksafe-facts [--facts-out=DIR] COMPILER ARGS...\n"
                      "Runs the compile and writes its forksafe facts next to the object file\n"
                      "(foo.o.forksafe), or in DIR, for forksafe-check to link.\n";
      return 0;
    } else if (a.starts_with("--")) {
      llvm::errs() << "forksafe-facts: error: unknown option '" << a
                   << "' (usage: forksafe-facts [--facts-out=DIR] COMPILER ARGS...)\n";
      return 2;
    } else {
      break;
    }
  }
  if (first >= argc) {
    llvm::errs() << "forksafe-facts: error: no compiler command given (usage: forksafe-facts "
                    "[--facts-out=DIR] COMPILER ARGS...)\n";
    return 2;
  }
  pid_t child;
  if (int err = posix_spawnp(&child, argv[first], nullptr, nullptr, argv + first, environ)) {
    llvm::errs() << "forksafe-facts: error: cannot run '" << argv[first] << "': " << strerror(err)
                 << "\n";
    return 127;
  }
  // Another launcher after this one (ccache, sccache, distcc, icecc): the compiler follows it.
  std::vector<std::string> args(argv + first, argv + argc);
  static const char* const kWrappers[] = {"ccache", "sccache", "distcc", "icecc"};
  while (args.size() > 1 && llvm::is_contained(kWrappers, llvm::sys::path::filename(args.front())))
    args.erase(args.begin());
  llvm::SmallString<256> cwd;
  llvm::sys::fs::current_path(cwd);
  std::string written;
  std::string why = extract(args, std::string(cwd), factsDir, argv[0], written);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    if (!written.empty()) llvm::sys::fs::remove(written);
    signal(WTERMSIG(status), SIG_DFL);
    raise(WTERMSIG(status));
    return 128 + WTERMSIG(status);
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  // A compile that failed leaves no facts: clang may accept what the real compiler rejects.
  if (code != 0 && !written.empty()) llvm::sys::fs::remove(written);
  if (code == 0 && !why.empty())
    warn("no facts: " + why + " (forksafe-check will analyse this file itself)");
  return code;
}

}  // namespace
}  // namespace forksafe

int main(int argc, char** argv) { return forksafe::run(argc, argv); }
