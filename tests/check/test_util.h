// Helpers shared by the end-to-end checker tests: temporary projects and running the binary.
#pragma once

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <fstream>
#include <string>
#include <vector>

#include "process_util.h"

namespace forksafe::test {

// A directory removed with everything in it when the test ends.
class TempDir {
 public:
  TempDir() {
    llvm::SmallString<128> dir;
    llvm::sys::fs::createUniqueDirectory("forksafe-test", dir);
    path_ = std::string(dir);
  }
  ~TempDir() { llvm::sys::fs::remove_directories(path_); }
  const std::string& path() const { return path_; }
  std::string file(const std::string& rel, const std::string& text) const {
    std::string full = path_ + "/" + rel;
    llvm::sys::fs::create_directories(llvm::sys::path::parent_path(full));
    std::ofstream(full, std::ios::binary) << text;
    return full;
  }

 private:
  std::string path_;
};

// Writes build/compile_commands.json for `files` (compiled with the runtime headers and the
// project's include/ directory on the path).
inline std::string writeCompileCommands(const TempDir& dir, const std::vector<std::string>& files) {
  llvm::json::Array entries;
  for (const std::string& f : files)
    entries.push_back(
        llvm::json::Object{{"directory", dir.path()},
                           {"file", f},
                           {"command", "/usr/bin/c++ -std=c++17 -I" FORKSAFE_RUNTIME_INCLUDE " -I" +
                                           dir.path() + "/include -c " + f}});
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(entries));
  os.flush();
  return dir.file("build/compile_commands.json", text);
}

// Runs forksafe-check with a private cache directory (never the user's).
inline ProcessResult runChecker(std::vector<std::string> args, const std::string& cwd = "",
                                const std::string& cacheDir = "") {
  std::vector<std::string> env;
  if (cacheDir.empty())
    args.insert(args.begin(), "--no-cache");
  else
    env.push_back("FORKSAFE_CACHE_DIR=" + cacheDir);
  args.insert(args.begin(), FORKSAFE_CHECK_BINARY);
  return runProcess(args, cwd, 300, env);
}

}  // namespace forksafe::test
