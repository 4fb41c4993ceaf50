// Suppressions: NOLINT markers as clang-tidy spells them.
#include "report/Suppressions.h"

#include <gtest/gtest.h>
#include <llvm/Support/FileSystem.h>

#include <fstream>

namespace {

std::string writeTemp(const std::string& text) {
  llvm::SmallString<128> path;
  llvm::sys::fs::createTemporaryFile("nolint", "cpp", path);
  std::ofstream(std::string(path)) << text;
  return std::string(path);
}

forksafe::Location at(const std::string& file, unsigned line) { return {file, line, 1}; }

TEST(Suppressions, Markers) {
  std::string file = writeTemp(
      "int a; // NOLINT\n"                                                     // 1
      "int b; // NOLINT(forksafe-prefork-*)\n"                                 // 2
      "// NOLINTNEXTLINE(forksafe-per-worker-state)\n"                         // 3
      "int c;\n"                                                               // 4
      "// NOLINTBEGIN(forksafe-*)\n"                                           // 5
      "int d;\n"                                                               // 6
      "// NOLINTEND(forksafe-*)\n"                                             // 7
      "int e;\n"                                                               // 8
      "int f; // NOLINT(forksafe-prefork-pid, forksafe-per-worker-state)\n");  // 9
  forksafe::Suppressions s;
  EXPECT_TRUE(s.suppressed("forksafe-per-worker-state", at(file, 1)));
  EXPECT_TRUE(s.suppressed("forksafe-prefork-rng", at(file, 2)));
  EXPECT_FALSE(s.suppressed("forksafe-per-worker-state", at(file, 2)));
  EXPECT_FALSE(s.suppressed("forksafe-per-worker-state", at(file, 3)));
  EXPECT_TRUE(s.suppressed("forksafe-per-worker-state", at(file, 4)));
  EXPECT_FALSE(s.suppressed("forksafe-unsynchronized-state", at(file, 4)));
  EXPECT_TRUE(s.suppressed("forksafe-unsynchronized-state", at(file, 6)));
  EXPECT_FALSE(s.suppressed("forksafe-unsynchronized-state", at(file, 8)));
  EXPECT_TRUE(s.suppressed("forksafe-per-worker-state", at(file, 9)));
  EXPECT_FALSE(s.suppressed("forksafe-unsynchronized-state", at(file, 9)));
  llvm::sys::fs::remove(file);
}

TEST(Suppressions, UnterminatedBeginRunsToEndOfFileAndMissingFilesAreFine) {
  std::string file = writeTemp("// NOLINTBEGIN\nint a;\nint b;\n");
  forksafe::Suppressions s;
  EXPECT_TRUE(s.suppressed("forksafe-per-worker-state", at(file, 3)));
  EXPECT_FALSE(s.suppressed("forksafe-per-worker-state", at("/nonexistent/x.cpp", 1)));
  llvm::sys::fs::remove(file);
}

}  // namespace
