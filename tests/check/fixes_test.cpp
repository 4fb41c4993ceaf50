// Fixes: when std::atomic<T> is offered (and, above all, when it must not be), and --fix /
// --export-fixes end to end: applied by forksafe-check or by clang-apply-replacements-19, the
// fixed findings are gone and the code still compiles.
#include <clang/AST/ASTContext.h>
#include <clang/ASTMatchers/ASTMatchFinder.h>
#include <clang/ASTMatchers/ASTMatchers.h>
#include <clang/Frontend/ASTUnit.h>
#include <clang/Tooling/Tooling.h>
#include <gtest/gtest.h>
#include <llvm/Support/MemoryBuffer.h>

#include <sstream>

#include "facts/FixSites.h"
#include "test_util.h"

namespace {

using forksafe::test::read_file;
using forksafe::test::run_process;
using forksafe::test::runChecker;
using forksafe::test::TempDir;

// Why `counter` in `code` cannot become std::atomic ("" when it can).
std::string blocker(const std::string& code, const std::string& standard = "-std=c++17") {
  std::unique_ptr<clang::ASTUnit> unit = clang::tooling::buildASTFromCodeWithArgs(
      code, {standard, "-Wno-unused", "-resource-dir=" FORKSAFE_CLANG_RESOURCE_DIR}, "input.cpp");
  if (!unit) return "<no AST>";
  using namespace clang::ast_matchers;
  auto found = match(varDecl(hasName("counter"), isDefinition()).bind("v"), unit->getASTContext());
  if (found.empty()) return "<no variable 'counter'>";
  const auto* var = found.front().getNodeAs<clang::VarDecl>("v");
  return forksafe::atomicBlocker(unit->getASTContext(), *var);
}

TEST(AtomicFix, OfferedWhenEveryUseStaysValid) {
  EXPECT_EQ(blocker("#include <string>\n"
                    "namespace { long counter = 0; }\n"
                    "std::string f() { return std::to_string(++counter); }\n"
                    "void g() { counter += 2; counter--; counter = 7; }\n"
                    "long h() { if (counter > 3) return counter * 2; return counter; }\n"),
            "");
  EXPECT_EQ(blocker("int f() { static int counter; return ++counter; }"), "");
  EXPECT_EQ(
      blocker("static bool counter; void f() { counter = true; } bool g() { return !counter; }"),
      "");
  EXPECT_EQ(blocker("static unsigned counter; void f(unsigned n) { counter |= n; counter ^= 1u; }"),
            "");
}

TEST(AtomicFix, NotOfferedWhenAUseWouldBreakOrChangeMeaning) {
  struct Case {
    const char* why;
    std::string code;
  };
  std::vector<Case> cases = {
      {"address taken", "static int counter; int* p() { return &counter; }"},
      {"bound to T&", "static int counter; void bump(int& r) { ++r; } void f() { bump(counter); }"},
      {"bound to const T&",
       "static int counter; int peek(const int& r) { return r; } int f() { return peek(counter); "
       "}"},
      {"*= is not atomic", "static int counter = 1; void f() { counter *= 2; }"},
      {"/= is not atomic", "static int counter = 1; void f() { counter /= 2; }"},
      {"<<= is not atomic", "static int counter = 1; void f() { counter <<= 1; }"},
      {"x = x + 1 is two operations", "static int counter; void f() { counter = counter + 1; }"},
      {"x += x", "static int counter; void f() { counter += counter; }"},
      {"bool compound assignment", "static bool counter; void f() { counter |= true; }"},
      {"C++14", "static int counter; void f() { ++counter; }"},
      {"deduced template argument",
       "template <class T> T twice(T v) { return v + v; } static int counter; int f() { return "
       "twice(counter); }"},
      {"variadic argument",
       "#include <cstdio>\nstatic int counter; void f() { std::printf(\"%d\", counter); }"},
      {"auto copy", "static int counter; int f() { auto copy = counter; return copy; }"},
      {"deduced return type", "static int counter; auto f() { return counter; }"},
      {"lambda with deduced return",
       "static int counter; int f() { return [] { return counter; }(); }"},
      {"returned by reference", "static int counter; int& f() { return counter; }"},
      {"++ result as lvalue", "static int counter; int& f() { return ++counter; }"},
      {"sizeof", "static int counter; unsigned long f() { return sizeof counter; }"},
      {"decltype", "static int counter; decltype(counter) other;"},
      {"overload with a reference",
       "void take(long); void take(const int&); static int counter; void f() { take(counter); }"},
      {"overloaded operator",
       "#include <iostream>\nstatic int counter; void f() { std::cout << counter; }"},
      {"external linkage", "int counter; void f() { ++counter; }"},
      {"extern declaration", "extern int counter; int counter; void f() { ++counter; }"},
      {"static data member",
       "struct S { static int counter; }; int S::counter; void f() { ++S::counter; }"},
      {"volatile", "static volatile int counter; void f() { counter = 1; }"},
      {"enum", "enum E { A, B }; static E counter; void f() { counter = B; }"},
      {"pointer", "static int* counter; void f() { counter = nullptr; }"},
      {"two declarators", "static int counter, other; void f() { ++counter; }"},
      {"type from a macro", "#define INT int\nstatic INT counter; void f() { ++counter; }"},
      {"auto type", "static auto counter = 0; void f() { ++counter; }"},
      {"wider than 64 bits", "static __int128 counter; void f() { ++counter; }"},
      {"used in a template pattern",
       "static int counter; template <class T> void f(T t) { counter += t; } void g() { f(1.5); }"},
  };
  for (const Case& c : cases) {
    std::string standard = std::string(c.why) == "C++14" ? "-std=c++14" : "-std=c++17";
    EXPECT_NE(blocker(c.code, standard), "") << c.why << ":\n" << c.code;
  }
}

// A small app: a counter std::atomic fits, a counter bound to a reference (no atomic fix), and
// a map (no atomic fix); every finding has some fix with --fix-notes.
struct App {
  TempDir dir;
  std::string source, header;
  App() {
    header = dir.file("include/state.hpp",
                      "// state\n#pragma once\n#include <map>\n#include <string>\n"
                      "inline std::map<std::string, int> sessions;\n");
    source = dir.file("app.cpp",
                      "// app\n"
                      "#include <forksafe/app.hpp>\n"
                      "#include <string>\n"
                      "#include \"state.hpp\"\n"
                      "\n"
                      "namespace {\n"
                      "long visits = 0;\n"
                      "int hits = 0;\n"
                      "void touch(int& n) { n += 1; }\n"
                      "}  // namespace\n"
                      "\n"
                      "FORKSAFE_APP(app) {\n"
                      "  app.get(\"/\", [](const forksafe::Request&) {\n"
                      "    touch(hits);\n"
                      "    sessions[\"x\"] = 1;\n"
                      "    return forksafe::Response::text(std::to_string(++visits) + \"\\n\");\n"
                      "  });\n"
                      "}\n");
    forksafe::test::writeCompileCommands(dir, {source});
  }
  // The findings as "line:rule" of the checker's JSON output.
  std::set<std::string> findings() const {
    auto run = runChecker({"-p", dir.path() + "/build", source, "--format=json", "--quiet"});
    std::set<std::string> out;
    auto parsed = llvm::json::parse(run.out);
    if (!parsed) return {"<unparsable: " + run.err + ">"};
    for (const llvm::json::Value& v : *parsed->getAsObject()->getArray("findings")) {
      const llvm::json::Object& f = *v.getAsObject();
      out.insert(llvm::sys::path::filename(*f.getString("file")).str() + ":" +
                 std::to_string(*f.getInteger("line")) + ":" + f.getString("rule")->str());
    }
    return out;
  }
  bool compiles() const {
    return run_process({"/usr/bin/clang++-19", "-std=c++17", "-fsyntax-only",
                        "-I" FORKSAFE_RUNTIME_INCLUDE, "-I" + dir.path() + "/include", source})
               .status == 0;
  }
  // After the fixes: `visits` is declared per worker, the app compiles, and none of the
  // findings in app.cpp that `before` had is reported any more.
  void expectFixed(const std::set<std::string>& before) const {
    std::string text = read_file(source);
    EXPECT_NE(text.find("FORKSAFE_PER_WORKER std::atomic<long> visits = 0;"), std::string::npos)
        << text;
    EXPECT_TRUE(compiles()) << text << read_file(header);
    auto after = findings();
    for (const std::string& f : before)
      if (f.rfind("app.cpp:", 0) == 0) {
        EXPECT_FALSE(after.count(f)) << f << " is still reported";
      }
  }
};

TEST(Fix, AppliesOnlyWhatRemovesTheProblemWithoutFixNotes) {
  App app;
  ASSERT_TRUE(app.compiles());
  auto before = app.findings();
  ASSERT_TRUE(before.count("app.cpp:7:forksafe-unsynchronized-state")) << before.size();
  auto run = runChecker({"-p", app.dir.path() + "/build", app.source, "--fix"});
  EXPECT_EQ(run.status, 1) << run.err;  // the per-worker findings remain errors
  EXPECT_NE(run.err.find("applied 1 of 1 suggested fix(es) in 1 file(s)"), std::string::npos)
      << run.err;
  std::string text = read_file(app.source);
  EXPECT_NE(text.find("#include \"state.hpp\"\n#include <atomic>\n"), std::string::npos) << text;
  EXPECT_NE(text.find("std::atomic<long> visits = 0;"), std::string::npos) << text;
  EXPECT_NE(text.find("\nint hits = 0;\n"), std::string::npos) << text;
  EXPECT_TRUE(app.compiles()) << text;
  auto after = app.findings();  // one line lower: the include
  EXPECT_FALSE(after.count("app.cpp:8:forksafe-unsynchronized-state"));
  EXPECT_TRUE(after.count("app.cpp:8:forksafe-per-worker-state"));
  EXPECT_TRUE(after.count("app.cpp:9:forksafe-unsynchronized-state"));
}

TEST(Fix, FixNotesDeclaresIntentWhereNothingElseFits) {
  App app;
  auto before = app.findings();
  auto run = runChecker({"-p", app.dir.path() + "/build", app.source, "--fix", "--fix-notes"});
  EXPECT_NE(run.err.find("suggested fix(es)"), std::string::npos) << run.err;
  std::string text = read_file(app.source);
  EXPECT_NE(
      text.find("int hits = 0;  // NOLINT(forksafe-unsynchronized-state): <why this is safe>"),
      std::string::npos)
      << text;
  app.expectFixed(before);
}

TEST(ExportFixes, ClangApplyReplacementsAppliesThemAndTheFindingsGo) {
  App app;
  auto before = app.findings();
  std::string yamlDir = app.dir.path() + "/fixes";
  llvm::sys::fs::create_directories(yamlDir);
  auto run = runChecker({"-p", app.dir.path() + "/build", app.source, "--fix-notes",
                         "--export-fixes=" + yamlDir + "/app.yaml"});
  EXPECT_EQ(run.status, 1) << run.err;
  std::string yaml = read_file(yamlDir + "/app.yaml");
  EXPECT_NE(yaml.find("DiagnosticName:  forksafe-unsynchronized-state"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("ReplacementText: 'std::atomic<long>'"), std::string::npos) << yaml;
  EXPECT_EQ(read_file(app.source).find("atomic"), std::string::npos);  // exporting edits nothing
  auto apply = run_process({"/usr/bin/clang-apply-replacements-19", yamlDir});
  ASSERT_EQ(apply.status, 0) << apply.err;
  app.expectFixed(before);
}

TEST(ExportFixes, AnUnwritableFileIsOneErrorLine) {
  App app;
  auto run = runChecker({"-p", app.dir.path() + "/build", app.source,
                         "--export-fixes=" + app.dir.path() + "/missing/dir/fixes.yaml"});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("forksafe-check: error: cannot write '"), std::string::npos) << run.err;
}

TEST(Fix, NotAppliedWhenASourceCouldNotBeChecked) {
  App app;
  std::string broken = app.dir.file("broken.cpp", "int broken( {\n");
  forksafe::test::writeCompileCommands(app.dir, {app.source, broken});
  auto run = runChecker({"-p", app.dir.path() + "/build", app.source, broken, "--fix"});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("fixes not applied"), std::string::npos) << run.err;
  EXPECT_EQ(read_file(app.source).find("atomic"), std::string::npos);
}

// Every rule fixture: its fixes (with --fix-notes) exported, applied by
// clang-apply-replacements-19, leave no finding in the file, and the file still compiles.
class FixtureFixes : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureFixes, ApplyingEveryFixLeavesNoFindingAndCompiles) {
  std::string original = std::string(FORKSAFE_FIXTURE_DIR) + "/" + GetParam();
  TempDir dir;
  std::string source = dir.file(llvm::sys::path::filename(original).str(), read_file(original));
  // Its neighbours too: a .forksafe.yaml, a header included with quotes.
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(llvm::sys::path::parent_path(original), ec), end;
       it != end && !ec; it.increment(ec))
    if (it->type() == llvm::sys::fs::file_type::regular_file &&
        llvm::sys::path::extension(it->path()) != ".cpp")
      dir.file(llvm::sys::path::filename(it->path()).str(), read_file(it->path()));
  std::vector<std::string> extra, compile = {"/usr/bin/clang++-19", "-std=c++20", "-fsyntax-only",
                                             "-w", "-I" FORKSAFE_RUNTIME_INCLUDE};
  std::istringstream lines(read_file(original));
  for (std::string line; std::getline(lines, line);) {
    size_t at = line.find("// RUN-ARGS: ");
    if (at == std::string::npos) continue;
    std::istringstream words(line.substr(at + 13));
    for (std::string w; words >> w;) {
      if (size_t s = w.find("%S"); s != std::string::npos)
        w.replace(s, 2, llvm::sys::path::parent_path(original).str());
      extra.push_back(w);
      if (w.rfind("--extra-arg=", 0) == 0) compile.push_back(w.substr(12));
    }
  }
  auto check = [&](std::vector<std::string> args) {
    args.insert(args.begin(), source);
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"--", "-std=c++20", "-I" FORKSAFE_RUNTIME_INCLUDE});
    return runChecker(args);
  };
  llvm::sys::fs::create_directories(dir.path() + "/fixes");
  auto exported =
      check({"--quiet", "--fix-notes", "--export-fixes=" + dir.path() + "/fixes/f.yaml"});
  ASSERT_NE(exported.status, 2) << exported.err;
  auto apply = run_process({"/usr/bin/clang-apply-replacements-19", dir.path() + "/fixes"});
  ASSERT_EQ(apply.status, 0) << apply.err << apply.out;
  auto after = check({"--quiet", "--format=json"});
  auto parsed = llvm::json::parse(after.out);
  ASSERT_TRUE(static_cast<bool>(parsed)) << after.err;
  for (const llvm::json::Value& v : *parsed->getAsObject()->getArray("findings")) {
    const llvm::json::Object& f = *v.getAsObject();
    EXPECT_NE(*f.getString("file"), source)
        << "still reported: line " << *f.getInteger("line") << " " << f.getString("rule")->str();
  }
  compile.push_back(source);
  auto compiled = run_process(compile);
  EXPECT_EQ(compiled.status, 0) << compiled.err << read_file(source);
}

INSTANTIATE_TEST_SUITE_P(Checks, FixtureFixes, ::testing::ValuesIn(forksafe::test::fixtures()),
                         forksafe::test::fixtureTestName);

}  // namespace
