// NOLINT, NOLINTNEXTLINE and NOLINTBEGIN/NOLINTEND comments, with clang-tidy's syntax.
#pragma once

#include <llvm/ADT/StringRef.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "facts/Facts.h"

namespace forksafe {

class Suppressions {
 public:
  Suppressions();
  ~Suppressions();
  // True when a NOLINT comment covering `rule` applies to loc's line.
  bool suppressed(llvm::StringRef rule, const Location& loc);

 private:
  struct FileMarks;
  const FileMarks& marks(const std::string& file);
  std::map<std::string, std::unique_ptr<FileMarks>> files_;
};

}  // namespace forksafe
