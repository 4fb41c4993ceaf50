// Glob lists as clang-tidy spells them in --checks and Checks:.
#include "config/GlobList.h"

#include <llvm/ADT/SmallVector.h>

#include <string>

namespace forksafe {

GlobList::GlobList(llvm::StringRef globs) {
  llvm::SmallVector<llvm::StringRef, 8> parts;
  globs.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef part : parts) {
    part = part.trim(" \t\r\n");
    if (part.empty()) continue;
    bool positive = !part.consume_front("-");
    part = part.trim(" \t\r\n");
    std::string re = "^";
    for (char c : part) {
      if (c == '*')
        re += ".*";
      else if (llvm::StringRef("\\^$.|?+()[]{}").contains(c))
        (re += '\\') += c;
      else
        re += c;
    }
    re += "$";
    items_.push_back({positive, llvm::Regex(re)});
  }
}

bool GlobList::contains(llvm::StringRef name) const {
  for (auto it = items_.rbegin(); it != items_.rend(); ++it)
    if (it->regex.match(name)) return it->positive;
  return false;
}

}  // namespace forksafe
