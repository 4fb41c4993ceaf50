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
  bool hasCompilerArgs = false;  // a `--` was given
  std::vector<std::string> compilerArgs;
  // Third-party code (clang-tidy's options): unset means "as .forksafe.yaml says, else the
  // default".
  std::optional<std::string> headerFilter;         // --header-filter
  std::optional<std::string> excludeHeaderFilter;  // --exclude-header-filter
  bool systemHeaders = false;                      // --system-headers
  std::string deployment;                          // --deployment: "", auto, prefork, replicas
  // What is reported (docs/ci.md): "" means unset.
  std::string baseline;       // --baseline: leave out the findings of this baseline file
  std::string writeBaseline;  // --write-baseline: write the findings as a baseline file
  std::string diff;           // --diff: only findings on lines changed since this git revision
  std::string lineFilter;     // --line-filter: clang-tidy's JSON list of files and lines
};

}  // namespace forksafe
