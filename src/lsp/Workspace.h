// The whole-program analysis behind the language server: the projects of the open files, their
// facts kept in memory, and re-parsing only what an edit made stale.
//
// A project is a compilation database (found as clangd does: compile_commands.json in the file's
// directory or an ancestor, or in their build/ subdirectory; or --compile-commands-dir) and every
// translation unit it lists; a file no database covers is a project of its own with default flags.
// The first analysis of a project takes each unit's facts from the facts cache or parses it (on
// -j threads, with progress). After that the facts stay in memory: an analysis re-parses only the
// units that read a file whose unsaved text (the overlay) or disk contents changed since their
// facts were made, through an overlay file system, then links the program and runs the rules
// again. Facts made from unsaved text are never written to the cache.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "driver/Options.h"
#include "report/Finding.h"

namespace forksafe::lsp {

struct WorkspaceOptions {
  // The command line's settings (--checks, --warnings-as-errors, -j, --cache-dir...); its sources
  // and -p are ignored: the open files and their databases decide what is analysed.
  Options check;
  std::string compileCommandsDir;  // --compile-commands-dir; "": search upwards from each file
  std::string argv0;
};

// Reports the first analysis of a project (the server turns it into $/progress).
struct ProgressSink {
  std::function<void(const std::string& title, size_t total)> begin;
  std::function<void(size_t done, size_t total, const std::string& file)> report;
  std::function<void()> end;
};

struct WorkspaceResult {
  // Findings by file, for every file asked about (an empty list when it has none).
  std::map<std::string, std::vector<Finding>> findings;
  std::vector<std::string> log;  // files that could not be parsed, databases that did not load
};

class Workspace {
 public:
  explicit Workspace(WorkspaceOptions options);
  ~Workspace();

  // Analyses the projects `files` belong to, with `overlay` (absolute path -> unsaved text) read
  // instead of the disk, and returns the findings that concern each of `files`: declared there,
  // or with a write site or a call on the path from the handler there.
  WorkspaceResult analyze(const std::map<std::string, std::string>& overlay,
                          const std::vector<std::string>& files, const ProgressSink& progress);

  // A file changed on disk (saved, or changed by another program). A .forksafe.yaml needs nothing
  // more: each analysis reads the configuration afresh, and the settings facts depend on (handler
  // patterns, frameworks, system headers) are part of each unit's cache key, so a unit whose key
  // changed is parsed again.
  void changedOnDisk(const std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace forksafe::lsp
