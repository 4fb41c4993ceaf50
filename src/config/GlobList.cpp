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
    llvm::StringRef text = part;
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
    items_.push_back({positive, llvm::Regex(re), text.str()});
  }
}

bool GlobList::contains(llvm::StringRef name) const {
  for (auto it = items_.rbegin(); it != items_.rend(); ++it)
    if (it->regex.match(name)) return it->positive;
  return false;
}

std::vector<std::string> GlobList::unmatched(llvm::ArrayRef<std::string> names) const {
  std::vector<std::string> out;
  for (const Item& item : items_) {
    bool matches = false;
    for (const std::string& name : names) matches |= item.regex.match(name);
    if (!matches) out.push_back(item.text);
  }
  return out;
}

std::string nearestName(llvm::StringRef glob, llvm::ArrayRef<std::string> names) {
  glob = glob.trim(" \t\r\n");
  bool negative = glob.consume_front("-");
  glob = glob.trim(" \t\r\n");
  bool prefix = glob.ends_with("*");
  std::string bare;
  for (char c : glob)
    if (c != '*') bare += c;
  std::string best;
  unsigned bestDistance = ~0u;
  for (const std::string& name : names) {
    // A prefix glob ("forksafe-prefrok-*") is compared with each name's start of its length.
    llvm::StringRef candidate = name;
    if (prefix && candidate.size() > bare.size()) candidate = candidate.take_front(bare.size());
    unsigned d = llvm::StringRef(bare).edit_distance(candidate, true);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate.str() + (prefix && candidate.size() < name.size() ? "*" : "");
    }
  }
  // More than a third of the glob wrong is not a typo.
  if (best.empty() || bestDistance * 3 > std::max<size_t>(bare.size(), 3)) return "";
  return (negative ? "-" : "") + best;
}

}  // namespace forksafe
