// clang-tidy style check globs: "forksafe-*,-forksafe-prefork-pid"; the last matching glob wins.
#pragma once

#include <llvm/ADT/StringRef.h>
#include <llvm/Support/Regex.h>

#include <vector>

namespace forksafe {

class GlobList {
 public:
  explicit GlobList(llvm::StringRef globs);
  bool contains(llvm::StringRef name) const;
  bool empty() const { return items_.empty(); }

 private:
  struct Item {
    bool positive;
    llvm::Regex regex;
  };
  std::vector<Item> items_;
};

}  // namespace forksafe
