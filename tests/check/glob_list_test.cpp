// GlobList: clang-tidy's --checks semantics (comma list, '-' negates, last match wins).
#include <gtest/gtest.h>

#include "config/GlobList.h"

namespace {

TEST(GlobList, LastMatchWins) {
  forksafe::GlobList globs("forksafe-*,-forksafe-prefork-*,forksafe-prefork-rng");
  EXPECT_TRUE(globs.contains("forksafe-per-worker-state"));
  EXPECT_FALSE(globs.contains("forksafe-prefork-pid"));
  EXPECT_TRUE(globs.contains("forksafe-prefork-rng"));
}

TEST(GlobList, WhitespaceAndEmptyEntries) {
  forksafe::GlobList globs(" -* ,\n forksafe-prefork-pid ,,");
  EXPECT_FALSE(globs.contains("forksafe-per-worker-state"));
  EXPECT_TRUE(globs.contains("forksafe-prefork-pid"));
}

TEST(GlobList, RegexCharactersAreLiteral) {
  forksafe::GlobList globs("a.b+c");
  EXPECT_TRUE(globs.contains("a.b+c"));
  EXPECT_FALSE(globs.contains("axbbc"));
  EXPECT_FALSE(forksafe::GlobList("").contains("anything"));
}

}  // namespace
