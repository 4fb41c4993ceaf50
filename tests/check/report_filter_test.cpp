// The report filter's pieces without the binary: anchors, file and line scopes, clang-tidy's
// --line-filter JSON, `git diff -U0` hunks, fingerprints, and the nearest rule to a mistyped glob.
#include <gtest/gtest.h>
#include <llvm/Support/FileSystem.h>

#include <fstream>

#include "config/GlobList.h"
#include "report/Baseline.h"
#include "report/ChangedLines.h"
#include "report/ReportFilter.h"

namespace {

using forksafe::Finding;
using forksafe::Location;
using forksafe::ReportFilter;

Finding sample() {
  Finding f;
  f.rule = "forksafe-per-worker-state";
  f.loc = {"/p/store.cpp", 3, 16};
  f.symbol = "g";
  f.mangled = "g";
  f.sites = {{"/p/store.cpp", 8, 22}};
  f.notes.push_back({{"/p/store.cpp", 8, 22}, "'g' is incremented here"});
  forksafe::Note reach{{"/p/store.cpp", 8, 6}, "'touch()' runs per request"};
  reach.calls = {{"/p/app.cpp", 6, 32}, {"/p/sub/other.cpp", 5, 1}};
  f.notes.push_back(reach);
  return f;
}

TEST(ReportFilter, AnchorsAreDeclarationSitesAndCalls) {
  std::vector<Location> a = forksafe::anchors(sample());
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0].file, "/p/app.cpp");
  // The reach note's own location (the function's definition) is not an anchor.
  for (const Location& l : a) EXPECT_FALSE(l.line == 8 && l.column == 6);
}

TEST(ReportFilter, FilesAndLines) {
  Finding f = sample();
  EXPECT_TRUE(ReportFilter().selects(f));
  ReportFilter byFile;
  byFile.addFile("/p/app.cpp");
  EXPECT_TRUE(byFile.selects(f));
  ReportFilter elsewhere;
  elsewhere.addFile("/p/main.cpp");
  EXPECT_FALSE(elsewhere.selects(f));
  EXPECT_TRUE(elsewhere.restricted());
  ReportFilter lines;
  lines.addLines("/p/app.cpp", 1, 5);
  EXPECT_FALSE(lines.selects(f));
  lines.addLines("/p/app.cpp", 6, 6);
  EXPECT_TRUE(lines.selects(f));
  ReportFilter relative;
  relative.addFile("other.cpp");
  EXPECT_TRUE(relative.selects(f));
  ReportFilter partial;
  partial.addFile("her.cpp");  // a suffix, not a path component
  EXPECT_FALSE(partial.selects(f));
  ReportFilter baseline;
  f.fingerprint = "abc";
  baseline.excludeFingerprints({"abc"});
  EXPECT_TRUE(baseline.inScope(f));
  EXPECT_TRUE(baseline.inBaseline(f));
  EXPECT_FALSE(baseline.selects(f));
}

TEST(ChangedLines, LineFilterJson) {
  ReportFilter f;
  ASSERT_FALSE(static_cast<bool>(forksafe::addLineFilter(
      R"([{"name":"app.cpp","lines":[[1,3],[6,6]]},{"name":"/p/x.cpp"},{"name":"y.cpp","lines":[]}])",
      f)));
  EXPECT_TRUE(f.covers({"/p/app.cpp", 6, 1}));
  EXPECT_FALSE(f.covers({"/p/app.cpp", 5, 1}));
  EXPECT_TRUE(f.covers({"/p/x.cpp", 500, 1}));
  EXPECT_TRUE(f.covers({"/q/y.cpp", 9, 1}));
  for (const char* bad : {"{}", "[1]", R"([{"lines":[]}])", R"([{"name":"a","lines":[[0,1]]}])",
                          R"([{"name":"a","lines":[[2]]}])", R"([{"name":"a","lines":{}}])", "["}) {
    ReportFilter g;
    llvm::Error e = forksafe::addLineFilter(bad, g);
    EXPECT_TRUE(static_cast<bool>(e)) << bad;
    EXPECT_NE(llvm::toString(std::move(e)).find("--line-filter"), std::string::npos) << bad;
  }
}

TEST(ChangedLines, GitDiffHunks) {
  const char* diff =
      "diff --git a/src/app.cpp b/src/app.cpp\n"
      "index 1..2 100644\n"
      "--- a/src/app.cpp\n"
      "+++ b/src/app.cpp\n"
      "@@ -3 +3,2 @@ void f() {\n"
      "-old\n+new\n+new2\n"
      "@@ -10,2 +11,0 @@\n"
      "-gone\n-gone\n"
      "diff --git a/gone.cpp b/gone.cpp\n"
      "--- a/gone.cpp\n+++ /dev/null\n@@ -1,3 +0,0 @@\n-a\n-b\n-c\n"
      "diff --git a/my file.cpp b/my file.cpp\n"
      "--- a/my file.cpp\t\n+++ b/my file.cpp\t\n@@ -0,0 +1 @@\n+x\n"
      "--- \"a/t\\303\\251st.cpp\"\n+++ \"b/t\\303\\251st.cpp\"\n@@ -5 +5 @@\n-a\n+b\n";
  ReportFilter f;
  ASSERT_FALSE(static_cast<bool>(forksafe::addDiffHunks(diff, "/repo", f)));
  EXPECT_FALSE(f.covers({"/repo/src/app.cpp", 2, 1}));
  EXPECT_TRUE(f.covers({"/repo/src/app.cpp", 3, 1}));
  EXPECT_TRUE(f.covers({"/repo/src/app.cpp", 4, 1}));
  EXPECT_FALSE(f.covers({"/repo/src/app.cpp", 5, 1}));
  // A deletion after line 11: lines 11 and 12 border it.
  EXPECT_TRUE(f.covers({"/repo/src/app.cpp", 11, 1}));
  EXPECT_TRUE(f.covers({"/repo/src/app.cpp", 12, 1}));
  EXPECT_FALSE(f.covers({"/repo/src/app.cpp", 13, 1}));
  EXPECT_FALSE(f.covers({"/repo/gone.cpp", 1, 1}));
  EXPECT_TRUE(f.covers({"/repo/my file.cpp", 1, 1}));
  EXPECT_TRUE(f.covers({"/repo/t\xc3\xa9st.cpp", 5, 1}));
  ReportFilter g;
  EXPECT_TRUE(static_cast<bool>(forksafe::addDiffHunks("+++ b/a.cpp\n@@ -1 +x @@\n", "/r", g)));
  // An empty diff selects nothing (not everything).
  ReportFilter empty;
  ASSERT_FALSE(static_cast<bool>(forksafe::addDiffHunks("", "/repo", empty)));
  EXPECT_TRUE(empty.restricted());
  EXPECT_FALSE(empty.selects(sample()));
}

TEST(Baseline, FingerprintsSurviveMovedLinesAndNumberTwins) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("forksafe-fp", dir));
  std::string file = std::string(dir) + "/a.cpp";
  std::ofstream(file) << "int g;\nvoid f() { srand(1); }\nvoid h() { srand(1); }\n";
  auto make = [&](unsigned line, const std::string& symbol) {
    Finding f;
    f.rule = "forksafe-prefork-rng";
    f.loc = {file, line, 12};
    f.symbol = symbol;
    return f;
  };
  std::vector<Finding> before = {make(1, "g"), make(2, "srand")};
  forksafe::assignFingerprints(before, std::string(dir));
  std::ofstream(file) << "// new\n\n   int   g;\nvoid f() { srand(1); }\nvoid f() { srand(1); }\n";
  std::vector<Finding> after = {make(5, "srand"), make(3, "g"), make(4, "srand")};
  forksafe::assignFingerprints(after, std::string(dir));
  EXPECT_EQ(before[0].fingerprint, after[1].fingerprint);
  EXPECT_EQ(before[1].fingerprint, after[2].fingerprint);
  EXPECT_EQ(after[0].fingerprint, after[2].fingerprint + "#2");
  // A file outside the root keeps its absolute path, so another root gives another fingerprint.
  std::vector<Finding> moved = {make(3, "g")};
  forksafe::assignFingerprints(moved, "/elsewhere");
  EXPECT_NE(moved[0].fingerprint, after[1].fingerprint);
  llvm::sys::fs::remove_directories(dir);
}

TEST(GlobList, NearestRuleForATypo) {
  std::vector<std::string> rules = {"forksafe-per-worker-state", "forksafe-prefork-pid",
                                    "forksafe-prefork-rng"};
  forksafe::GlobList globs("-*,forksafe-per-worker-sate,forksafe-prefork-*,-bugprone-*");
  EXPECT_EQ(globs.unmatched(rules),
            (std::vector<std::string>{"forksafe-per-worker-sate", "-bugprone-*"}));
  EXPECT_EQ(forksafe::nearestName("forksafe-per-worker-sate", rules), "forksafe-per-worker-state");
  EXPECT_EQ(forksafe::nearestName("-forksafe-prefrok-*", rules), "-forksafe-prefork-*");
  EXPECT_EQ(forksafe::nearestName("forksafe-prefork-pdi", rules), "forksafe-prefork-pid");
  EXPECT_EQ(forksafe::nearestName("bugprone-*", rules), "");
}

}  // namespace
