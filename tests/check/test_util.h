// Helpers of the end-to-end checker tests: temporary projects and running the binary (on
// tests/common).
#pragma once

#include <gtest/gtest.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <cctype>
#include <sstream>
#include <string>
#include <vector>

#include "process.hpp"   // tests/common
#include "temp_dir.hpp"  // tests/common

namespace forksafe::test {

// tests/common's TempDir and process launcher, under the names the checker tests use.
using fstest::ProcessOptions;
using fstest::ProcessResult;
using fstest::read_file;
using fstest::run_process;
using fstest::TempDir;

// The rule fixtures (tests/check/fixtures, relative paths), as the build lists them.
inline std::vector<std::string> fixtures() {
  std::vector<std::string> out;
  std::istringstream list(FORKSAFE_FIXTURES);
  for (std::string name; std::getline(list, name, ',');)
    if (!name.empty()) out.push_back(name);
  return out;
}

// A fixture's parameterised test name: its file name's stem, with '_' for what gtest refuses.
inline std::string fixtureTestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = llvm::sys::path::stem(info.param).str();
  for (char& c : name)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

// The launcher with positional arguments, as the language-server and CI tests call it.
inline ProcessResult runProcess(const std::vector<std::string>& argv, const std::string& cwd = "",
                                int timeoutSeconds = 120,
                                const std::vector<std::string>& env = {}) {
  ProcessOptions options;
  options.cwd = cwd;
  options.env = env;
  options.timeout_seconds = timeoutSeconds;
  return run_process(argv, options);
}

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
  ProcessOptions options;
  options.cwd = cwd;
  options.env = std::move(env);
  options.timeout_seconds = 300;
  return run_process(args, options);
}

}  // namespace forksafe::test
