// Facts written by the build (the clang plugin and the forksafe-facts launcher), linked by
// forksafe-check: the report equals a full `forksafe-check -p`, with fresh, stale and missing
// facts.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "facts/BuildFacts.h"
#include "test_util.h"

namespace {

using forksafe::test::ProcessResult;
using forksafe::test::read_file;
using forksafe::test::runChecker;
using forksafe::test::runProcess;
using forksafe::test::TempDir;

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

// A small multi-file program: a global defined in one file, written through a helper in another,
// reached from a handler in a third; init code in a fourth.
void writeGenerated(const TempDir& dir) {
  dir.file("gen/store.h",
           "#pragma once\n#include <map>\n#include <string>\n"
           "extern std::map<std::string, std::string> g_store;\nextern int g_configured;\n"
           "void Put(const std::string& k, const std::string& v);\nvoid Configure();\n");
  dir.file("gen/store.cpp",
           "#include \"store.h\"\nstd::map<std::string, std::string> g_store;\n"
           "int g_configured = 0;\n");
  dir.file("gen/cache.cpp",
           "#include \"store.h\"\nvoid Put(const std::string& k, const std::string& v) {\n"
           "  g_store[k] = v;\n}\nvoid Configure() { g_configured = 1; }\n");
  dir.file("gen/routes.cpp",
           "#include \"store.h\"\n#include <forksafe/annotations.hpp>\n"
           "FORKSAFE_HANDLER void Save() { Put(\"k\", \"v\"); }\n");
  dir.file("gen/init.cpp",
           "#include \"store.h\"\n#include <forksafe/annotations.hpp>\n"
           "FORKSAFE_INIT void Init() { Configure(); }\n");
}

// One CMake project over the rule fixtures, the evaluation apps and the generated program, with
// forksafe_enable_facts() on all three targets. `extraFlags` go to every compile.
std::string writeProject(const TempDir& dir, const std::string& extraFlags) {
  writeGenerated(dir);
  std::string fixtures, frameworkFixtures, evalApps;
  for (const std::string& f : split(FORKSAFE_FIXTURES))
    (f.rfind("frameworks/", 0) == 0 ? frameworkFixtures : fixtures) +=
        " " FORKSAFE_FIXTURE_DIR "/" + f;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(FORKSAFE_EVAL_DIR "/apps", ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::StringRef(it->path()).ends_with(".cpp")) evalApps += " " + it->path();
  dir.file("CMakeLists.txt",
           "cmake_minimum_required(VERSION 3.20)\nproject(facts CXX)\n"
           "include(" FORKSAFE_FACTS_CMAKE_MODULE
           ")\n"
           "add_compile_options(" +
               extraFlags +
               ")\n"
               "add_library(fixtures OBJECT" +
               fixtures +
               ")\n"
               "target_include_directories(fixtures PRIVATE " FORKSAFE_RUNTIME_INCLUDE
               ")\n"
               "add_library(framework_fixtures OBJECT" +
               frameworkFixtures +
               ")\n"
               "target_include_directories(framework_fixtures PRIVATE " FORKSAFE_RUNTIME_INCLUDE
               ")\n"
               "target_include_directories(framework_fixtures SYSTEM PRIVATE " FORKSAFE_FIXTURE_DIR
               "/frameworks/include)\n"
               "set_target_properties(fixtures framework_fixtures PROPERTIES CXX_STANDARD 20)\n"
               "add_library(eval OBJECT" +
               evalApps +
               ")\n"
               "target_include_directories(eval PRIVATE " FORKSAFE_EVAL_DIR
               "/include " FORKSAFE_RUNTIME_INCLUDE
               ")\n"
               "add_library(gen OBJECT gen/store.cpp gen/cache.cpp gen/routes.cpp gen/init.cpp)\n"
               "target_include_directories(gen PRIVATE " FORKSAFE_RUNTIME_INCLUDE
               ")\n"
               "set_target_properties(eval gen PROPERTIES CXX_STANDARD 17)\n"
               "forksafe_enable_facts(fixtures framework_fixtures eval gen)\n");
  return dir.path() + "/build";
}

ProcessResult configureAndBuild(const TempDir& dir, const std::string& cxx,
                                const std::string& extraFlags) {
  std::string build = writeProject(dir, extraFlags);
  ProcessResult r = runProcess(
      {"/usr/bin/cmake", "-S", dir.path(), "-B", build, "-G", "Ninja",
       "-DCMAKE_CXX_COMPILER=" + cxx, "-DCMAKE_BUILD_TYPE=", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
       "-DFORKSAFE_FACTS_PLUGIN=" FORKSAFE_FACTS_PLUGIN,
       "-DFORKSAFE_FACTS_LAUNCHER=" FORKSAFE_FACTS_LAUNCHER},
      "", 120);
  if (r.status != 0) return r;
  return runProcess({"/usr/bin/cmake", "--build", build, "-j2"}, "", 600);
}

// `forksafe-check -p build` with the build's facts, and without (the reference).
struct Reports {
  ProcessResult facts, full;
};
Reports check(const std::string& build) {
  return {runChecker({"-p", build, "--format=json", "-q", "--stats", "-j2"}),
          runChecker({"-p", build, "--format=json", "-q", "--no-build-facts", "-j2"})};
}

// "N from build facts" in the --stats line.
int fromBuild(const ProcessResult& r) {
  std::smatch m;
  std::regex re("(\\d+) from build facts");
  return std::regex_search(r.err, m, re) ? std::stoi(m[1]) : -1;
}

void expectEqualReports(const Reports& r, const char* what) {
  EXPECT_EQ(r.facts.status, r.full.status) << what << r.facts.err << r.full.err;
  EXPECT_EQ(r.facts.out, r.full.out) << what;
  EXPECT_NE(r.full.out.find("\"findings\""), std::string::npos) << what << r.full.err;
}

int countFiles(const std::string& build, const char* suffix) {
  int n = 0;
  std::error_code ec;
  for (llvm::sys::fs::recursive_directory_iterator it(build, ec), end; it != end && !ec;
       it.increment(ec))
    n += llvm::StringRef(it->path()).ends_with(suffix);
  return n;
}

TEST(CheckBuildFacts, CommandKeyLeavesOutOnlyOutputArguments) {
  using V = std::vector<std::string>;
  EXPECT_EQ(forksafe::normalizedCommand({"clang++-19", "-DX", "-fplugin=/p.so",
                                         "-fplugin-arg-forksafe-facts-out=/d", "-MD", "-MT", "a.o",
                                         "-MF", "a.o.d", "-o", "a.o", "-c", "a.cpp"}),
            (V{"clang++-19", "-DX", "-c", "a.cpp"}));
  EXPECT_EQ(forksafe::normalizedCommand({"g++", "-oa.o", "-O2", "-c", "a.cpp"}),
            (V{"g++", "-O2", "-c", "a.cpp"}));
  EXPECT_EQ(forksafe::clangCompatibleCommand(
                {"g++", "-fno-canonical-system-headers", "-O2", "-std=gnu++17", "-c", "a.cpp"}),
            (V{"g++", "-O2", "-std=gnu++17", "-c", "a.cpp"}));
  EXPECT_EQ(forksafe::commandOutput({"g++", "-c", "src/a.cpp", "-o", "obj/a.o"}, "/b"),
            "/b/obj/a.o");
  EXPECT_EQ(forksafe::commandSources({"g++", "-I", "inc", "-c", "src/a.cpp", "-o", "a.o"}, "/b"),
            (V{"/b/src/a.cpp"}));
  EXPECT_EQ(forksafe::factsPath("/b/obj/a.o", ""), "/b/obj/a.o.forksafe");
  EXPECT_EQ(llvm::sys::path::parent_path(forksafe::factsPath("/b/obj/a.o", "/f")), "/f");
  EXPECT_NE(forksafe::factsPath("/b/obj/a.o", "/f"), forksafe::factsPath("/c/obj/a.o", "/f"));
}

TEST(CheckBuildFacts, ADamagedFactsFileIsRejected) {
  TempDir dir;
  forksafe::BuildFacts facts;
  facts.source = "/src/a.cpp";
  facts.facts.emplace_back();
  std::string path = dir.path() + "/a.o.forksafe";
  ASSERT_EQ(forksafe::writeBuildFacts(facts, path), "");
  std::string why;
  ASSERT_TRUE(forksafe::readBuildFacts(path, why).has_value()) << why;
  std::string text = read_file(path);
  text[text.size() / 2] ^= 1;
  dir.file("a.o.forksafe", text);
  EXPECT_FALSE(forksafe::readBuildFacts(path, why).has_value());
  EXPECT_EQ(why, "damaged (checksum mismatch)");
}

TEST(CheckBuildFacts, ClangPluginBuildGivesTheFullReportAndStaysEqualWhenStale) {
  TempDir dir;
  ProcessResult built = configureAndBuild(dir, "clang++-19", "");
  ASSERT_EQ(built.status, 0) << built.out << built.err;
  std::string build = dir.path() + "/build";
  int objects = countFiles(build, ".o");
  ASSERT_GT(objects, 30);
  EXPECT_EQ(countFiles(build, ".o.forksafe"), objects);

  Reports fresh = check(build);
  expectEqualReports(fresh, "fresh: ");
  EXPECT_EQ(fromBuild(fresh.facts), objects) << fresh.facts.err;

  // Stale and missing, at once (one more reference run): a header the generated files read
  // changes (those four are parsed again), one facts file is missing, and one file's compile
  // command changed (a define in the database only).
  std::ofstream(dir.path() + "/gen/store.h", std::ios::app) << "int g_added = 0;\n";
  dir.file("gen/cache.cpp",
           read_file(dir.path() + "/gen/cache.cpp") + "void Add() { ++g_added; }\n");
  std::string removed;
  std::error_code ec;
  for (llvm::sys::fs::recursive_directory_iterator it(build + "/CMakeFiles/eval.dir", ec), end;
       it != end && !ec; it.increment(ec))
    if (removed.empty() && llvm::StringRef(it->path()).ends_with(".o.forksafe"))
      removed = it->path();
  ASSERT_FALSE(removed.empty());
  ASSERT_FALSE(llvm::sys::fs::remove(removed));
  std::string db = read_file(build + "/compile_commands.json");
  std::string changed =
      std::regex_replace(db, std::regex("clang\\+\\+-19 "), "clang++-19 -DCHANGED ",
                         std::regex_constants::format_first_only);
  ASSERT_NE(changed, db);
  dir.file("build/compile_commands.json", changed);
  Reports stale = check(build);
  expectEqualReports(stale, "stale and missing: ");
  EXPECT_EQ(fromBuild(stale.facts), objects - 6) << stale.facts.err;
}

TEST(CheckBuildFacts, GccLauncherBuildGivesTheFullReport) {
  TempDir dir;
  // A GCC-only flag: the launcher and forksafe-check leave it out of clang's parse.
  ProcessResult built = configureAndBuild(dir, "g++", "-fno-canonical-system-headers");
  ASSERT_EQ(built.status, 0) << built.out << built.err;
  std::string build = dir.path() + "/build";
  int objects = countFiles(build, ".o");
  ASSERT_GT(objects, 30);
  EXPECT_EQ(countFiles(build, ".o.forksafe"), objects);
  Reports r = check(build);
  expectEqualReports(r, "gcc: ");
  EXPECT_EQ(fromBuild(r.facts), objects) << r.facts.err;

  // --facts-dir alone: the commands recorded in the facts files.
  TempDir facts;
  std::error_code ec;
  for (llvm::sys::fs::recursive_directory_iterator it(build, ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::StringRef(it->path()).ends_with(".o.forksafe"))
      llvm::sys::fs::copy_file(it->path(),
                               facts.path() + "/" + llvm::sys::path::filename(it->path()).str());
  ProcessResult alone =
      runChecker({"--facts-dir=" + facts.path(), "--format=json", "-q", "--stats"});
  EXPECT_EQ(alone.out, r.full.out) << alone.err;
  EXPECT_EQ(fromBuild(alone), objects) << alone.err;
}

TEST(CheckBuildFacts, PluginLeavesTheObjectFileByteIdentical) {
  TempDir dir;
  for (const char* fixture :
       {"forksafe-per-worker-state.cpp", "pointee-state.cpp", "roots-forksafe-app.cpp"}) {
    std::string source = std::string(FORKSAFE_FIXTURE_DIR "/") + fixture;
    std::vector<std::string> compile = {"/usr/bin/clang++-19",         "-std=c++20", "-O2",  "-g",
                                        "-I" FORKSAFE_RUNTIME_INCLUDE, "-c",         source, "-o"};
    std::vector<std::string> plain = compile, plugin = compile;
    plain.push_back(dir.path() + "/plain.o");
    plugin.push_back(dir.path() + "/plugin.o");
    plugin.insert(plugin.begin() + 1, "-fplugin=" FORKSAFE_FACTS_PLUGIN);
    ProcessResult a = runProcess(plain), b = runProcess(plugin);
    ASSERT_EQ(a.status, 0) << a.err;
    ASSERT_EQ(b.status, 0) << b.err;
    EXPECT_TRUE(b.err.empty()) << b.err;
    std::string x = read_file(dir.path() + "/plain.o"), y = read_file(dir.path() + "/plugin.o");
    ASSERT_FALSE(x.empty());
    EXPECT_TRUE(x == y) << fixture << ": object files differ";
    EXPECT_TRUE(llvm::sys::fs::exists(dir.path() + "/plugin.o.forksafe")) << fixture;
  }
}

TEST(CheckBuildFacts, AFailedExtractionNeverFailsTheBuild) {
  TempDir dir;
  // GCC's nested functions: GCC compiles it, clang cannot parse it.
  std::string nested =
      dir.file("nested.c", "int f(void) { int g(void) { return 1; } return g(); }\n");
  ProcessResult r = runProcess(
      {FORKSAFE_FACTS_LAUNCHER, "/usr/bin/gcc", "-c", nested, "-o", dir.path() + "/nested.o"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(llvm::sys::fs::exists(dir.path() + "/nested.o"));
  EXPECT_FALSE(llvm::sys::fs::exists(dir.path() + "/nested.o.forksafe"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("forksafe-facts: warning: no facts: cannot parse '" + nested + "'", 0), 0u)
      << r.err;

  // The plugin cannot write its facts: the compile still succeeds, one line says why.
  std::string ok = dir.file("ok.cpp", "int x = 0;\nvoid f() { ++x; }\n");
  r = runProcess({"/usr/bin/clang++-19", "-fplugin=" FORKSAFE_FACTS_PLUGIN,
                  "-fplugin-arg-forksafe-facts-out=/proc/forksafe-no-such-dir", "-c", ok, "-o",
                  dir.path() + "/ok.o"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(llvm::sys::fs::exists(dir.path() + "/ok.o"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("forksafe-facts: warning: cannot ", 0), 0u) << r.err;
}

TEST(CheckBuildFacts, LauncherPassesTheCompilersOutputAndStatusThrough) {
  TempDir dir;
  std::string bad = dir.file("bad.cpp", "int f() { return }\n");
  ProcessResult direct = runProcess({"/usr/bin/g++", "-c", bad, "-o", dir.path() + "/bad.o"});
  ProcessResult launched =
      runProcess({FORKSAFE_FACTS_LAUNCHER, "/usr/bin/g++", "-c", bad, "-o", dir.path() + "/bad.o"});
  EXPECT_NE(direct.status, 0);
  EXPECT_EQ(launched.status, direct.status);
  EXPECT_EQ(launched.err, direct.err);
  EXPECT_EQ(launched.out, direct.out);
  EXPECT_FALSE(llvm::sys::fs::exists(dir.path() + "/bad.o.forksafe"));
}

TEST(CheckBuildFacts, BadInputIsOneLineAndStatusTwo) {
  struct Case {
    std::vector<std::string> argv;
    const char* message;
  };
  for (const Case& c : {
           Case{{FORKSAFE_FACTS_LAUNCHER}, "forksafe-facts: error: no compiler command given"},
           Case{{FORKSAFE_FACTS_LAUNCHER, "--bogus", "g++"},
                "forksafe-facts: error: unknown option '--bogus'"},
           Case{{FORKSAFE_CHECK_BINARY, "--facts-dir=/nonexistent-forksafe"},
                "forksafe-check: error: cannot read facts: '/nonexistent-forksafe' is not a "
                "directory"},
       }) {
    ProcessResult r = runProcess(c.argv);
    EXPECT_EQ(r.status, 2) << c.message;
    EXPECT_EQ(r.err.rfind(c.message, 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  ProcessResult r =
      runProcess({"/usr/bin/clang++-19", "-fplugin=" FORKSAFE_FACTS_PLUGIN,
                  "-fplugin-arg-forksafe-bogus=1", "-fsyntax-only", "-x", "c++", "/dev/null"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("forksafe-facts: unknown plugin argument 'bogus=1'"), std::string::npos)
      << r.err;
}

}  // namespace
