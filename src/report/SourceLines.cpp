// Source lines, read lazily and kept for the run.
#include "report/SourceLines.h"

namespace forksafe {

llvm::StringRef SourceLines::line(const std::string& file, unsigned n) {
  Entry& entry = files_[file];
  if (!entry.loaded) {
    entry.loaded = true;
    if (auto buf = llvm::MemoryBuffer::getFile(file, /*IsText=*/true)) {
      entry.buffer = std::move(*buf);
      entry.buffer->getBuffer().split(entry.lines, '\n');
    }
  }
  if (n == 0 || n > entry.lines.size()) return "";
  return entry.lines[n - 1].rtrim("\r");
}

}  // namespace forksafe
