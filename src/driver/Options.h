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
  // Fixes (clang-tidy's options, docs/checker.md#fixes); applied by the command line, not here.
  bool fix = false;         // --fix: apply the fixes that remove a problem
  bool fixErrors = false;   // --fix-errors: ... even when a source could not be checked
  bool fixNotes = false;    // --fix-notes: also FORKSAFE_PER_WORKER / NOLINT when nothing else
  std::string exportFixes;  // --export-fixes=FILE: clang-tidy's YAML for clang-apply-replacements
  // The language server (docs/editors.md): serve LSP on stdin/stdout instead of checking sources.
  bool lsp = false;                // --lsp
  std::string compileCommandsDir;  // --compile-commands-dir: "" = search from each file
  // What is reported (docs/ci.md): "" means unset.
  std::string baseline;       // --baseline: leave out the findings of this baseline file
  std::string writeBaseline;  // --write-baseline: write the findings as a baseline file
  std::string diff;           // --diff: only findings on lines changed since this git revision
  std::string lineFilter;     // --line-filter: clang-tidy's JSON list of files and lines
};

}  // namespace forksafe
