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
};

inline constexpr const char* kConfigFileName = ".forksafe.yaml";

// Parses the YAML text of a configuration file. Errors name the file and line.
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
