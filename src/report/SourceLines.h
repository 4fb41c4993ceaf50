// Lines of source files, read once per file: for snippets, fingerprints and SARIF columns.
#pragma once

#include <llvm/ADT/SmallVector.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/MemoryBuffer.h>

#include <map>
#include <memory>
#include <string>

namespace forksafe {

class SourceLines {
 public:
  // Line `n` (1-based) of `file` without its line break; "" when there is no such line.
  llvm::StringRef line(const std::string& file, unsigned n);

 private:
  struct Entry {
    bool loaded = false;
    std::unique_ptr<llvm::MemoryBuffer> buffer;
    llvm::SmallVector<llvm::StringRef, 0> lines;
  };
  std::map<std::string, Entry> files_;
};

}  // namespace forksafe
