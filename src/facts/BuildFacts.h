// Facts written by the build (the clang plugin or the forksafe-facts launcher) and read back by
// forksafe-check: the file format, where a compile's facts file lives, and when it is still valid.
//
// A facts file (`foo.o.forksafe`) holds one compile's TUFacts (FactsIO) together with what decides
// whether forksafe-check may use them instead of parsing: the analysis fingerprint (the same
// analysis code built the file and the checker), the source, the compile command's directory and
// its arguments with the output-only ones removed (-o, -MF, -fplugin...), the collector settings
// (handler patterns, system headers, the frameworks of .forksafe.yaml), and a content hash of every
// file the compile read. Any difference means the file is stale and the source is parsed again.
#pragma once

#include <clang/Tooling/CompilationDatabase.h>
#include <llvm/ADT/StringMap.h>
#include <llvm/ADT/StringRef.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/Config.h"
#include "config/Frameworks.h"
#include "facts/Facts.h"

namespace forksafe {

inline constexpr const char* kBuildFactsSuffix = ".forksafe";

// Identifies the analysis code (sources and framework table) a binary was built from.
std::string analysisFingerprint();

// The arguments of a compile command that decide what the compiler parses: the command, argv[0]
// included, without its output-only arguments (-o FILE, -MD/-MF/-MT..., -fplugin=...,
// -fplugin-arg-...).
std::vector<std::string> normalizedCommand(const std::vector<std::string>& args);

// Arguments clang does not know (GCC-only flags such as -fno-canonical-system-headers) removed,
// so a GCC command line can be parsed by clang. Inputs and known flags are kept in order.
std::vector<std::string> clangCompatibleCommand(const std::vector<std::string>& args);

// The object file a compile command writes (-o), absolute; "" when it has none.
std::string commandOutput(const std::vector<std::string>& args, const std::string& directory);
// The source files a compile command compiles (driver inputs with a C/C++ extension), absolute.
std::vector<std::string> commandSources(const std::vector<std::string>& args,
                                        const std::string& directory);

// Where a compile's facts are written: next to its object file (`foo.o.forksafe`), or, with a
// facts directory, DIR/<object name>-<hash of the object's absolute path>.forksafe.
std::string factsPath(const std::string& object, const std::string& factsDir);

// The collector settings a file's facts depend on (from its .forksafe.yaml and the command line).
struct CollectorSettings {
  std::vector<std::string> handlerPatterns;
  bool systemHeaders = false;
  std::shared_ptr<const FrameworkTable> frameworks;  // null: the built-in table only
  std::string frameworksFingerprint;
  std::string key() const;
};
// The settings a .forksafe.yaml (or none) gives, without command-line options.
CollectorSettings settingsFromConfig(const FileConfig* config);

// Content hashes of files, each file hashed once per instance; thread-safe.
class ContentHasher {
 public:
  std::optional<uint64_t> hash(const std::string& path);

 private:
  std::mutex mutex_;
  llvm::StringMap<uint64_t> hashes_;
};

struct BuildFacts {
  std::string fingerprint;           // analysisFingerprint() of the writer
  std::string source;                // absolute
  std::string directory;             // the compile command's
  std::vector<std::string> command;  // normalizedCommand() of the compile command
  std::string settings;              // CollectorSettings::key()
  std::vector<std::pair<std::string, uint64_t>> dependencies;  // every file read, content hash
  std::vector<TUFacts> facts;
};

// Writes atomically (temporary file + rename). Returns "" or why it could not.
std::string writeBuildFacts(const BuildFacts& facts, const std::string& path);
// Reads a facts file; nullopt with `why` set when it is missing, damaged or of another version.
std::optional<BuildFacts> readBuildFacts(const std::string& path, std::string& why);
// Whether `facts` still describes this compile: same analysis, source, directory, command,
// settings, and every file it read unchanged. Returns "" when valid, else why not (one line).
std::string staleReason(const BuildFacts& facts, const std::string& source,
                        const std::string& directory, const std::vector<std::string>& command,
                        const std::string& settingsKey, ContentHasher& hasher);

// What forksafe-check knows of the facts a build left: next to each object file, or in a facts
// directory (--facts-dir). Thread-safe lookups.
class BuildFactsIndex {
 public:
  // `factsDir`: "" to look next to the objects only.
  explicit BuildFactsIndex(std::string factsDir) : factsDir_(std::move(factsDir)) {}

  // Reads every facts file in the facts directory: the compilation database they record (for a
  // run given --facts-dir and no -p). Returns null with `why` set when the directory is unusable.
  std::unique_ptr<clang::tooling::CompilationDatabase> scan(std::string& why);

  // The facts of `file` under `commands` (one per compile command), when the build left current
  // facts for every command; otherwise nullopt and `why` says what was missing or stale.
  std::optional<std::vector<TUFacts>> lookup(
      const std::string& file, const std::vector<clang::tooling::CompileCommand>& commands,
      const std::string& settingsKey, std::string& why);

 private:
  std::string factsDir_;
  std::map<std::string, std::vector<std::string>> scanned_;  // source -> facts files (scan())
  ContentHasher hasher_;
};

}  // namespace forksafe
