// End-to-end tests of the built forksafe-check binary: compilation databases, exit statuses,
// output formats, configuration, and bad input (each must end in one clear line and exit 2).
#include <gtest/gtest.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

using forksafe::test::ProcessResult;
using forksafe::test::run_process;
using forksafe::test::TempDir;
using forksafe::test::writeCompileCommands;

const char* kHandlerSource = R"(#include "forksafe/annotations.hpp"
#include "state.h"
FORKSAFE_HANDLER int Handle() { return ++g_hits; }
)";

ProcessResult check(std::vector<std::string> args, const std::string& cwd = "") {
  return forksafe::test::runChecker(std::move(args), cwd);
}

size_t lineCount(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

std::vector<std::string> includeArgs() {
  return {"--", "-std=c++17", "-I" FORKSAFE_RUNTIME_INCLUDE};
}

TEST(CheckCli, VersionAndHelp) {
  ProcessResult v = check({"--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_NE(v.out.find("forksafe-check"), std::string::npos);
  ProcessResult h = check({"--help"});
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("--checks"), std::string::npos);
}

TEST(CheckCli, ListChecksHonoursGlobs) {
  ProcessResult all = check({"--list-checks"});
  EXPECT_EQ(all.status, 0);
  for (const char* rule :
       {"forksafe-per-worker-state", "forksafe-unsynchronized-state", "forksafe-prefork-thread",
        "forksafe-prefork-descriptor", "forksafe-prefork-rng", "forksafe-prefork-pid"})
    EXPECT_NE(all.out.find(rule), std::string::npos) << rule;
  ProcessResult one = check({"-checks=-*,forksafe-prefork-pid", "--list-checks"});
  EXPECT_EQ(one.status, 0);
  EXPECT_EQ(one.out.find("forksafe-per-worker-state"), std::string::npos);
  EXPECT_NE(one.out.find("forksafe-prefork-pid"), std::string::npos);
}

TEST(CheckCli, CompilationDatabaseHeaderFindingReportedOnce) {
  TempDir dir;
  dir.file("include/state.h", "#pragma once\ninline int g_hits = 0;\n");
  std::string a = dir.file("src/a.cpp", kHandlerSource);
  std::string b =
      dir.file("src/b.cpp", std::string(kHandlerSource) + "int Other() { return 1; }\n");
  writeCompileCommands(dir, {a, b});
  ProcessResult r = check({"-p", dir.path() + "/build", "--format=json"});
  ASSERT_EQ(r.status, 1) << r.err;
  auto doc = llvm::json::parse(r.out);
  ASSERT_TRUE(static_cast<bool>(doc)) << r.out;
  const llvm::json::Array& findings = *doc->getAsObject()->getArray("findings");
  int perWorker = 0;
  for (const llvm::json::Value& v : findings) {
    const llvm::json::Object& f = *v.getAsObject();
    if (*f.getString("rule") != "forksafe-per-worker-state") continue;
    ++perWorker;
    EXPECT_EQ(*f.getString("file"), dir.path() + "/include/state.h");
    EXPECT_EQ(*f.getInteger("line"), 2);
    EXPECT_EQ(*f.getString("symbol"), "g_hits");
    EXPECT_EQ(*f.getString("mangled"), "g_hits");
    EXPECT_EQ(*f.getString("severity"), "error");
  }
  EXPECT_EQ(perWorker, 1);
  EXPECT_EQ(doc->getAsObject()->getArray("errors")->size(), 0u);
}

// The JSON `mangled` field must be the symbol the compiler emits (forksafe-serve --verify matches
// ELF symbols by it).
TEST(CheckCli, MangledNamesMatchTheCompilersSymbols) {
  TempDir dir;
  std::string src = dir.file("app.cpp",
                             "#include \"forksafe/annotations.hpp\"\n"
                             "namespace { int counter; }\n"
                             "static int g_file;\n"
                             "struct Ids { static long next; };\n"
                             "long Ids::next = 0;\n"
                             "namespace api { int hits; }\n"
                             "FORKSAFE_HANDLER void Handle() {\n"
                             "  static int calls = 0;\n"
                             "  ++calls; ++counter; ++g_file; ++Ids::next; ++api::hits;\n"
                             "}\n");
  std::vector<std::string> args = {src, "--format=json", "--checks=-*,forksafe-per-worker-state"};
  for (const std::string& a : includeArgs()) args.push_back(a);
  ProcessResult r = check(args);
  ASSERT_EQ(r.status, 1) << r.err;
  auto doc = llvm::json::parse(r.out);
  ASSERT_TRUE(static_cast<bool>(doc));
  std::map<std::string, std::string> mangled;
  for (const llvm::json::Value& v : *doc->getAsObject()->getArray("findings"))
    mangled[v.getAsObject()->getString("symbol")->str()] =
        v.getAsObject()->getString("mangled")->str();
  EXPECT_EQ(mangled["(anonymous namespace)::counter"], "_ZN12_GLOBAL__N_17counterE");
  EXPECT_EQ(mangled["g_file"], "_ZL6g_file");
  EXPECT_EQ(mangled["Ids::next"], "_ZN3Ids4nextE");
  EXPECT_EQ(mangled["api::hits"], "_ZN3api4hitsE");
  EXPECT_EQ(mangled["Handle()::calls"], "_ZZ6HandlevE5calls");
}

TEST(CheckCli, TextOutputIsClangStyleWithoutColourWhenPiped) {
  TempDir dir;
  std::string src = dir.file("app.cpp",
                             "#include \"forksafe/annotations.hpp\"\nnamespace { int counter; }\n"
                             "FORKSAFE_HANDLER void Handle() { counter++; }\n");
  std::vector<std::string> args = {src};
  for (const std::string& a : includeArgs()) args.push_back(a);
  ProcessResult r = check(args);
  ASSERT_EQ(r.status, 1) << r.err;
  std::regex first("^" + src + R"(:2:17: error: .* \[forksafe-per-worker-state\])");
  EXPECT_TRUE(std::regex_search(r.out, first)) << r.out;
  EXPECT_NE(r.out.find(src + ":3:41: note: "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
  EXPECT_NE(r.err.find("1 file(s) checked"), std::string::npos);
}

TEST(CheckCli, FindsBuiltinHeadersFromAnywhere) {
  TempDir dir;
  std::string copy = dir.path() + "/elsewhere/bin/forksafe-check";
  llvm::sys::fs::create_directories(dir.path() + "/elsewhere/bin");
  ASSERT_FALSE(llvm::sys::fs::copy_file(FORKSAFE_CHECK_BINARY, copy));
  llvm::sys::fs::setPermissions(copy, llvm::sys::fs::all_exe | llvm::sys::fs::owner_all);
  std::string src =
      dir.file("work/app.cpp",
               "#include <stddef.h>\n#include <stdarg.h>\n#include <atomic>\n"
               "std::atomic<size_t> g_bytes{0};\n"
               "[[clang::annotate(\"forksafe::handler\")]] void Handle() { g_bytes += 1; }\n");
  ProcessResult r =
      run_process({copy, "--no-cache", "--format=json", "app.cpp", "--", "-std=c++17"},
                  fstest::in_dir(dir.path() + "/work"));
  ASSERT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("g_bytes"), std::string::npos);
}

TEST(CheckCli, BrokenTranslationUnitIsNamedAndOthersStillChecked) {
  TempDir dir;
  dir.file("include/state.h", "#pragma once\ninline int g_hits = 0;\n");
  std::string good = dir.file("good.cpp", kHandlerSource);
  std::string bad = dir.file("bad.cpp", "int broken( { this is not C++\n");
  writeCompileCommands(dir, {good, bad});
  ProcessResult r = check({"-p", dir.path() + "/build", good, bad});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("g_hits"), std::string::npos) << "good TU not reported: " << r.out;
  EXPECT_NE(r.err.find("error: cannot parse '" + bad + "'"), std::string::npos) << r.err;
  size_t errorLines = 0;
  for (size_t at = r.err.find("forksafe-check: error:"); at != std::string::npos;
       at = r.err.find("forksafe-check: error:", at + 1))
    ++errorLines;
  EXPECT_EQ(errorLines, 1u) << r.err;
  // Nothing of clang's own ("1 error generated.") gets through.
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);)
    EXPECT_EQ(line.rfind("forksafe-check: ", 0), 0u) << line;
}

// Clang's parser and Sema recurse once per term of these; 30,000 terms overflowed an 8 MiB stack
// and killed the run with SIGSEGV.
TEST(CheckCli, DeepExpressionsDoNotCrash) {
  TempDir dir;
  std::string assign = "int g; void h() { int a; g = ", plus = "int p = 0",
              cond = "int c(bool b) { return ";
  for (int i = 0; i < 30000; ++i) {
    assign += "a = ";
    plus += " + 1";
    cond += "b ? 1 : ";
  }
  std::vector<std::string> sources = {dir.file("assign.cpp", assign + "1; }\n"),
                                      dir.file("plus.cpp", plus + ";\n"),
                                      dir.file("cond.cpp", cond + "0; }\n")};
  std::vector<std::string> args = sources;
  args.insert(args.end(), {"-j2", "--"});
  ProcessResult r = check(args);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("3 file(s) checked"), std::string::npos) << r.err;
}

struct BadInput {
  const char* name;
  std::vector<std::string> args;  // "$DIR" is replaced by the temp dir
  const char* expected;           // substring of the one error line
};

void PrintTo(const BadInput& input, std::ostream* os) { *os << input.name; }

class BadInputs : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputs, OneLineErrorAndExitTwo) {
  TempDir dir;
  static const char kElfStart[] =
      "\x7f"
      "ELF\x02\x01\x01\0\0\0\xff\xfe\x00\x13";
  dir.file("garbage.cpp", std::string(kElfStart, sizeof kElfStart - 1) + std::string(4096, '\xa7'));
  dir.file("bad-db/compile_commands.json", "[{\"directory\": \"/tmp\", \"file\": ");
  dir.file("yaml-db/compile_commands.json", "[{\"directory\": \"/p\", \"command\": \"c++\", \"fi");
  dir.file("with space/my file.cpp", "int f() { return 1 }\n");
  dir.file("badconfig/.forksafe.yaml", "Checks: [unclosed\n");
  dir.file("badconfig/app.cpp", "int x;\n");
  dir.file("unknown-key/.forksafe.yaml", "Chekcs: '-*'\n");
  dir.file("unknown-key/app.cpp", "int x;\n");
  dir.file("bad-framework/.forksafe.yaml",
           "Frameworks:\n  - Name: tiny\n    Handlers:\n      - { Function: f, Handlr: 1 }\n");
  dir.file("bad-framework/app.cpp", "int x;\n");
  std::vector<std::string> args;
  for (std::string a : GetParam().args) {
    for (size_t at; (at = a.find("$DIR")) != std::string::npos;) a.replace(at, 4, dir.path());
    args.push_back(a);
  }
  std::string expected = GetParam().expected;
  for (size_t at; (at = expected.find("$DIR")) != std::string::npos;)
    expected.replace(at, 4, dir.path());
  ProcessResult r = check(args);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
  size_t errors = 0;
  for (size_t at = r.err.find("error:"); at != std::string::npos; at = r.err.find("error:", at + 1))
    ++errors;
  EXPECT_GE(lineCount(r.err), 1u);
  EXPECT_LE(lineCount(r.err), 3u) << r.err;  // the error line, plus at most the summary
  EXPECT_GE(errors, 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Cli, BadInputs,
    ::testing::Values(
        BadInput{
            "MissingFile", {"$DIR/nope.cpp", "--", "-std=c++17"}, "cannot open '$DIR/nope.cpp'"},
        BadInput{"Directory", {"$DIR", "--"}, "it is a directory"},
        BadInput{"MalformedDatabase", {"-p", "$DIR/bad-db"}, "cannot load compilation database"},
        // Also found by tests/fuzz/compile_commands_fuzz: clang's YAML reader printed a
        // three-line caret diagnostic on stderr, then "Error while parsing YAML.".
        BadInput{"DatabaseNotJson", {"-p", "$DIR/yaml-db"}, "': invalid JSON: [1:"},
        BadInput{"MissingDatabase", {"-p", "$DIR/none"}, "does not exist"},
        BadInput{"BinaryGarbage", {"$DIR/garbage.cpp", "--"}, "cannot parse"},
        BadInput{"PathWithSpaces", {"$DIR/with space/my file.cpp", "--"}, "my file.cpp"},
        BadInput{"UnknownOption", {"--frobnicate"}, "--frobnicate"},
        BadInput{"BadFormat", {"--format=xml", "x.cpp"}, "--format"},
        BadInput{"BadHandlerRegex",
                 {"--handlers=(", "$DIR/badconfig/app.cpp", "--"},
                 "invalid --handlers regex"},
        BadInput{"NoInput", {}, "no input files"},
        BadInput{"MalformedConfig", {"$DIR/badconfig/app.cpp", "--"}, "invalid configuration"},
        BadInput{"UnknownConfigKey", {"$DIR/unknown-key/app.cpp", "--"}, "unknown key 'Chekcs'"},
        BadInput{"UnknownFrameworkKey",
                 {"$DIR/bad-framework/app.cpp", "--"},
                 "bad-framework/.forksafe.yaml:4:24: unknown key 'Handlr' in a Handlers entry"},
        BadInput{"UnwritableOutput",
                 {"-o", "$DIR/no/such/dir/out.json", "$DIR/badconfig/app.cpp", "--checks=-*", "--"},
                 "cannot write"}),
    [](const ::testing::TestParamInfo<BadInput>& p) { return std::string(p.param.name); });

// Repeatable options take one value each: a source after them is still a source.
TEST(CheckCli, RepeatableOptionsDoNotSwallowSources) {
  TempDir dir;
  std::string src = dir.file("routes.cpp", "namespace api { int hits; void list() { ++hits; } }\n");
  ProcessResult r = check({"--handlers=^api::", src, "--handlers", "^admin::", "--extra-arg=-DX",
                           "--format=json", "--", "-std=c++17"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("api::hits"), std::string::npos) << r.out;
}

TEST(CheckCli, PathsWithSpacesWork) {
  TempDir dir;
  std::string src = dir.file("my project/src dir/app file.cpp",
                             "#include \"forksafe/annotations.hpp\"\nint g_n;\n"
                             "FORKSAFE_HANDLER void H() { g_n = 1; }\n");
  std::vector<std::string> args = {src, "--format=json"};
  for (const std::string& a : includeArgs()) args.push_back(a);
  ProcessResult r = check(args);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("app file.cpp"), std::string::npos);
}

TEST(CheckCli, ConfigFileAndWarningsAsErrors) {
  TempDir dir;
  const char* source =
      "#include \"forksafe/annotations.hpp\"\nFORKSAFE_PER_WORKER int g_cache;\n"
      "FORKSAFE_HANDLER void H() { g_cache = 1; }\n";
  std::string src = dir.file("proj/src/app.cpp", source);
  std::vector<std::string> base = {src};
  for (const std::string& a : includeArgs()) base.push_back(a);
  ProcessResult warnOnly = check(base);
  EXPECT_EQ(warnOnly.status, 0) << warnOnly.out << warnOnly.err;
  EXPECT_NE(warnOnly.out.find("warning:"), std::string::npos);

  std::vector<std::string> wae = {"--warnings-as-errors=forksafe-unsynchronized-state"};
  wae.insert(wae.end(), base.begin(), base.end());
  EXPECT_EQ(check(wae).status, 1);

  dir.file("proj/.forksafe.yaml", "Checks: '-*,forksafe-prefork-*'\n");
  ProcessResult quiet = check(base);
  EXPECT_EQ(quiet.status, 0);
  EXPECT_EQ(quiet.out.find("warning:"), std::string::npos) << quiet.out;

  dir.file("proj/.forksafe.yaml", "WarningsAsErrors: 'forksafe-unsynchronized-state'\n");
  EXPECT_EQ(check(base).status, 1);
}

TEST(CheckCli, SarifForCodeScanning) {
  TempDir dir;
  dir.file("app.cpp",
           "#include \"forksafe/annotations.hpp\"\nint g_n;\n"
           "FORKSAFE_HANDLER void H() { g_n++; }\n");
  std::vector<std::string> args = {FORKSAFE_CHECK_BINARY, "--no-cache", "--format=sarif", "-o",
                                   "out.sarif",           "app.cpp"};
  for (const std::string& a : includeArgs()) args.push_back(a);
  ProcessResult r = run_process(args, fstest::in_dir(dir.path()));
  ASSERT_EQ(r.status, 1) << r.err;
  auto buffer = llvm::MemoryBuffer::getFile(dir.path() + "/out.sarif");
  ASSERT_TRUE(static_cast<bool>(buffer));
  auto doc = llvm::json::parse((*buffer)->getBuffer());
  ASSERT_TRUE(static_cast<bool>(doc));
  const llvm::json::Object& root = *doc->getAsObject();
  EXPECT_EQ(*root.getString("version"), "2.1.0");
  const llvm::json::Object& run = *(*root.getArray("runs"))[0].getAsObject();
  const llvm::json::Array& rules = *run.getObject("tool")->getObject("driver")->getArray("rules");
  EXPECT_EQ(rules.size(), 6u);
  for (const llvm::json::Value& rule : rules) {
    EXPECT_TRUE(rule.getAsObject()->getString("id"));
    EXPECT_TRUE(rule.getAsObject()->getObject("help"));
  }
  const llvm::json::Array& results = *run.getArray("results");
  ASSERT_EQ(results.size(), 2u);
  const llvm::json::Object& result = *results[0].getAsObject();
  EXPECT_TRUE(result.getString("ruleId"));
  EXPECT_TRUE(result.getString("level"));
  EXPECT_TRUE(result.getObject("partialFingerprints"));
  const llvm::json::Object& artifact = *(*result.getArray("locations"))[0]
                                            .getAsObject()
                                            ->getObject("physicalLocation")
                                            ->getObject("artifactLocation");
  EXPECT_EQ(*artifact.getString("uri"), "app.cpp");
  EXPECT_EQ(*artifact.getString("uriBaseId"), "%SRCROOT%");
}

}  // namespace
