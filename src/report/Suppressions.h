// NOLINT, NOLINTNEXTLINE and NOLINTBEGIN/NOLINTEND comments, with clang-tidy's syntax.
#pragma once

#include <llvm/ADT/IntrusiveRefCntPtr.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/VirtualFileSystem.h>

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
  // Files are read from `fs` instead of the disk (the language server's unsaved buffers).
  void setFileSystem(llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> fs);

 private:
  struct FileMarks;
  const FileMarks& marks(const std::string& file);
  std::map<std::string, std::unique_ptr<FileMarks>> files_;
  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> fs_;  // null: the disk
};

}  // namespace forksafe
