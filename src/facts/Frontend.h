// Runs clang (LibTooling) on one source file and collects its facts.
#pragma once

#include <clang/Tooling/CompilationDatabase.h>
#include <llvm/Support/VirtualFileSystem.h>

#include <string>
#include <vector>

#include "facts/FactCollector.h"
#include "facts/Facts.h"

namespace forksafe {

struct TUOutcome {
  std::string file;
  bool ok = false;
  std::vector<TUFacts> facts;             // one per compile command of the file (usually one)
  std::string error;                      // why it could not be checked, when !ok
  std::vector<std::string> dependencies;  // absolute paths of every file the parse read
};

struct FrontendOptions {
  std::string resourceDir;  // clang's builtin headers (stddef.h...)
  std::vector<std::string> extraArgsBefore;
  std::vector<std::string> extraArgs;
};

// Thread-safe: each call has its own file system view (the compile command's directory is not
// a process-wide chdir), so several files can be analysed at once.
// `fs`: what the parse reads (null: the disk); the language server passes unsaved buffers over
// the disk. It must not be shared with a concurrent call (the parse sets its working directory).
TUOutcome runFrontend(const clang::tooling::CompilationDatabase& db, const std::string& file,
                      const FrontendOptions& options, const CollectorOptions& collector,
                      llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> fs = nullptr);

// Where clang's builtin headers are: $FORKSAFE_CLANG_RESOURCE_DIR, else the directory of the
// Clang this tool was built against, else the one next to the running executable's clang.
std::string findResourceDir(const char* argv0);

}  // namespace forksafe
