// The working directory and absolute paths, as the checker and its command line spell them.
#pragma once

#include <llvm/ADT/SmallString.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <string>

namespace forksafe {

inline std::string currentDir() {
  llvm::SmallString<256> cwd;
  llvm::sys::fs::current_path(cwd);
  return std::string(cwd);
}

// `path` made absolute against the working directory, with "." and ".." removed.
inline std::string absolutePath(llvm::StringRef path) {
  llvm::SmallString<256> buf(path);
  llvm::sys::fs::make_absolute(buf);
  llvm::sys::path::remove_dots(buf, true);
  return std::string(buf);
}

}  // namespace forksafe
