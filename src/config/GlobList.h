// clang-tidy style check globs: "forksafe-*,-forksafe-prefork-pid"; the last matching glob wins.
#pragma once

#include <llvm/ADT/ArrayRef.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/Regex.h>

#include <string>
#include <vector>

namespace forksafe {

class GlobList {
 public:
  explicit GlobList(llvm::StringRef globs);
  bool contains(llvm::StringRef name) const;
  bool empty() const { return items_.empty(); }
  // The globs (as written, with their '-') that match none of `names`, in order.
  std::vector<std::string> unmatched(llvm::ArrayRef<std::string> names) const;

 private:
  struct Item {
    bool positive;
    llvm::Regex regex;
    std::string text;
  };
  std::vector<Item> items_;
};

// What `glob` was probably meant to be: the name of `names` nearest to it by edit distance (a
// prefix glob keeps its '*', a negative one its '-'), or "" when none is near enough to be a
// likely typo.
std::string nearestName(llvm::StringRef glob, llvm::ArrayRef<std::string> names);

}  // namespace forksafe
