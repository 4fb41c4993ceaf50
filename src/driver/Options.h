// What one run of forksafe-check is asked to do; tool/CommandLine.cpp fills it from the command
// line (clang-tidy's option names and habits).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace forksafe {

struct Options {
  std::vector<std::string> sources;
  std::string buildPath;  // -p
  std::string checks;
  bool listChecks = false;
  std::vector<std::string> handlers;
  std::string warningsAsErrors;
  std::string format = "text";
  std::string output;
  bool version = false;
  bool quiet = false;
  std::vector<std::string> extraArgs;
  std::vector<std::string> extraArgsBefore;
  unsigned jobs = 0;     // 0: one per core
  std::string cacheDir;  // "": the default location
  bool noCache = false;
  bool stats = false;            // print phase timings on stderr
  std::string factsDir;          // --facts-dir: facts files the build wrote
  bool noBuildFacts = false;     // --no-build-facts: parse every file, whatever the build left
  bool hasCompilerArgs = false;  // a `--` was given
  std::vector<std::string> compilerArgs;
  // Third-party code (clang-tidy's options): unset means "as .forksafe.yaml says, else the
  // default".
  std::optional<std::string> headerFilter;         // --header-filter
  std::optional<std::string> excludeHeaderFilter;  // --exclude-header-filter
  bool systemHeaders = false;                      // --system-headers
  std::string deployment;                          // --deployment: "", auto, prefork, replicas
};

}  // namespace forksafe
