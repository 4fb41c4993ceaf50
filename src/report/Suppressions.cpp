// Reads NOLINT markers from source files on demand, one scan per file.
#include "report/Suppressions.h"

#include <llvm/Support/MemoryBuffer.h>

#include "config/GlobList.h"

namespace forksafe {

struct Suppressions::FileMarks {
  struct Range {
    unsigned first, last;  // inclusive lines
    std::string globs;
  };
  std::vector<Range> ranges;
};

Suppressions::Suppressions() = default;
Suppressions::~Suppressions() = default;

namespace {

// Parses "NOLINT", "NOLINT(a,b)" and friends starting at `pos`; returns the glob text ("*" when
// no list is given) and advances pos past the marker.
std::string markerGlobs(llvm::StringRef line, size_t& pos) {
  if (pos < line.size() && line[pos] == '(') {
    size_t close = line.find(')', pos);
    if (close == llvm::StringRef::npos) {
      pos = line.size();
      return "*";
    }
    std::string globs = line.slice(pos + 1, close).str();
    pos = close + 1;
    return globs;
  }
  return "*";
}

}  // namespace

const Suppressions::FileMarks& Suppressions::marks(const std::string& file) {
  auto found = files_.find(file);
  if (found != files_.end()) return *found->second;
  auto result = std::make_unique<FileMarks>();
  auto buffer = fs_ ? fs_->getBufferForFile(file, -1, /*RequiresNullTerminator=*/false)
                    : llvm::MemoryBuffer::getFile(file, /*IsText=*/true);
  if (buffer) {
    llvm::SmallVector<llvm::StringRef, 0> lines;
    (*buffer)->getBuffer().split(lines, '\n');
    std::vector<std::pair<unsigned, std::string>> open;  // NOLINTBEGIN line and globs
    for (unsigned i = 0; i < lines.size(); ++i) {
      llvm::StringRef line = lines[i];
      unsigned lineNo = i + 1;
      for (size_t pos = line.find("NOLINT"); pos != llvm::StringRef::npos;
           pos = line.find("NOLINT", pos)) {
        llvm::StringRef rest = line.substr(pos);
        if (rest.starts_with("NOLINTNEXTLINE")) {
          pos += 14;
          result->ranges.push_back({lineNo + 1, lineNo + 1, markerGlobs(line, pos)});
        } else if (rest.starts_with("NOLINTBEGIN")) {
          pos += 11;
          open.emplace_back(lineNo, markerGlobs(line, pos));
        } else if (rest.starts_with("NOLINTEND")) {
          pos += 9;
          std::string globs = markerGlobs(line, pos);
          for (auto it = open.rbegin(); it != open.rend(); ++it) {
            if (it->second != globs) continue;
            result->ranges.push_back({it->first, lineNo, globs});
            open.erase(std::next(it).base());
            break;
          }
        } else {
          pos += 6;
          result->ranges.push_back({lineNo, lineNo, markerGlobs(line, pos)});
        }
      }
    }
    for (auto& [line, globs] : open)  // an unterminated NOLINTBEGIN runs to the end of the file
      result->ranges.push_back({line, static_cast<unsigned>(lines.size()), globs});
  }
  return *files_.emplace(file, std::move(result)).first->second;
}

void Suppressions::setFileSystem(llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> fs) {
  fs_ = std::move(fs);
  files_.clear();
}

bool Suppressions::suppressed(llvm::StringRef rule, const Location& loc) {
  if (!loc.valid()) return false;
  for (const FileMarks::Range& r : marks(loc.file).ranges)
    if (loc.line >= r.first && loc.line <= r.last && GlobList(r.globs).contains(rule)) return true;
  return false;
}

}  // namespace forksafe
