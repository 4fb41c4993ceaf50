// .forksafe.yaml: per-directory configuration, found upwards from each source like .clang-tidy.
#pragma once

#include <llvm/Support/Error.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/Frameworks.h"

namespace forksafe {

struct FileConfig {
  std::string path;  // the file it came from
  std::optional<std::string> checks;
  std::optional<std::string> warningsAsErrors;
  std::vector<std::string> handlerPatterns;
  std::optional<std::string> headerFilterRegex;         // HeaderFilterRegex
  std::optional<std::string> excludeHeaderFilterRegex;  // ExcludeHeaderFilterRegex
  std::optional<bool> systemHeaders;                    // SystemHeaders
  std::optional<std::string> deployment;                // Deployment: auto, prefork, replicas
  FrameworkTable frameworks;  // `Frameworks:`: added to the built-in table (docs/frameworks.md)
  // Line and column (1-based) of the value of Checks and WarningsAsErrors, for errors found
  // after parsing (a glob that matches no rule).
  std::map<std::string, std::pair<unsigned, unsigned>> positions;
  // "<path>:<line>:<column>" of a key's value (just the path when unknown).
  std::string where(const std::string& key) const {
    auto it = positions.find(key);
    if (it == positions.end()) return path;
    return path + ":" + std::to_string(it->second.first) + ":" + std::to_string(it->second.second);
  }
};

inline constexpr const char* kConfigFileName = ".forksafe.yaml";

// Parses the YAML text of a configuration file. Errors name the file, line and column.
llvm::Expected<FileConfig> parseConfig(llvm::StringRef text, llvm::StringRef path);

class ConfigFinder {
 public:
  // The nearest .forksafe.yaml in the source's directory or above; nullptr when there is none.
  llvm::Expected<const FileConfig*> forSource(const std::string& sourcePath);

 private:
  llvm::Expected<const FileConfig*> forDirectory(const std::string& dir);
  std::map<std::string, std::shared_ptr<FileConfig>> byDirectory_;  // null: none at or above
};

}  // namespace forksafe
