// libforksafe-tidy.so loaded by the real clang-tidy-19: on every rule fixture it reports the same
// (line, rule) set as forksafe-check run on that file alone; .clang-tidy, NOLINT, --fix and
// --fix-notes work as for any clang-tidy check.
#include <gtest/gtest.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Regex.h>

#include <fstream>
#include <set>
#include <sstream>

#include "CheckTool.h"
#include "test_util.h"

namespace {

using forksafe::test::read_file;
using forksafe::test::run_process;
using forksafe::test::TempDir;
using Findings = std::set<std::pair<unsigned, std::string>>;  // (line, rule)

std::vector<std::string> runArgs(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    size_t at = line.find("// RUN-ARGS: ");
    if (at == std::string::npos) continue;
    std::istringstream words(line.substr(at + 13));
    for (std::string w; words >> w;) {
      if (size_t s = w.find("%S"); s != std::string::npos)
        w.replace(s, 2, llvm::sys::path::parent_path(path).str());
      out.push_back(w);
    }
  }
  return out;
}

// The findings in `file` of clang-tidy's text output.
Findings tidyFindings(const std::string& output, const std::string& file) {
  Findings out;
  llvm::Regex line(
      "^(.*):([0-9]+):[0-9]+: (warning|error): .* "
      "\\[(forksafe-[a-z-]+)(,-warnings-as-errors)?\\]$");
  std::istringstream in(output);
  for (std::string text; std::getline(in, text);) {
    llvm::SmallVector<llvm::StringRef, 6> m;
    if (line.match(text, &m) && m[1] == file)
      out.insert({static_cast<unsigned>(std::stoul(m[2].str())), m[4].str()});
  }
  return out;
}

Findings checkerFindings(const std::string& file, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"forksafe-check", file, "--format=json", "--quiet",
                                   "--no-cache"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"--", "-std=c++20", "-I" FORKSAFE_RUNTIME_INCLUDE});
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::string out, err;
  llvm::raw_string_ostream o(out), e(err);
  forksafe::runCheckTool(static_cast<int>(argv.size()), argv.data(), o, e);
  o.flush();
  Findings found;
  auto parsed = llvm::json::parse(out);
  if (!parsed) {
    llvm::consumeError(parsed.takeError());
    return {{0, "<unparsable: " + err + ">"}};
  }
  for (const llvm::json::Value& v : *parsed->getAsObject()->getArray("findings")) {
    const llvm::json::Object& f = *v.getAsObject();
    if (*f.getString("file") == file)
      found.insert({static_cast<unsigned>(*f.getInteger("line")), f.getString("rule")->str()});
  }
  return found;
}

forksafe::test::ProcessResult tidy(std::vector<std::string> args, const std::string& cwd = "") {
  args.insert(args.begin(), {"/usr/bin/clang-tidy-19", "--load=" FORKSAFE_TIDY_PLUGIN, "--quiet"});
  forksafe::test::ProcessOptions options;
  options.cwd = cwd;
  options.timeout_seconds = 120;
  return run_process(args, options);
}

std::string describe(const Findings& f) {
  std::string out;
  for (const auto& [line, rule] : f) out += "  " + std::to_string(line) + " " + rule + "\n";
  return out;
}

class PluginFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(PluginFixture, SameFindingsAsForksafeCheckOnTheFileAlone) {
  std::string path = std::string(FORKSAFE_FIXTURE_DIR) + "/" + GetParam();
  std::vector<std::string> extra = runArgs(path);
  std::vector<std::string> tidyArgs = {"--checks=-*,forksafe-*"};
  for (const std::string& a : extra) {
    if (a.rfind("--handlers", 0) == 0)
      GTEST_SKIP() << "--handlers has no clang-tidy spelling (HandlerPatterns in .forksafe.yaml)";
    tidyArgs.push_back(a);  // --checks=... and --extra-arg=... mean the same to both
  }
  tidyArgs.insert(tidyArgs.end(), {path, "--", "-std=c++20", "-I" FORKSAFE_RUNTIME_INCLUDE});
  auto run = tidy(tidyArgs);
  ASSERT_FALSE(run.timed_out);
  Findings fromTidy = tidyFindings(run.out, path);
  Findings fromChecker = checkerFindings(path, extra);
  std::ifstream text(path);
  std::string all((std::istreambuf_iterator<char>(text)), std::istreambuf_iterator<char>());
  if (all.find("// expect: ") != std::string::npos) {
    EXPECT_FALSE(fromTidy.empty()) << "the fixture expects findings";
  }
  EXPECT_EQ(fromTidy, fromChecker) << "clang-tidy:\n"
                                   << describe(fromTidy) << "forksafe-check:\n"
                                   << describe(fromChecker) << run.err;
}

INSTANTIATE_TEST_SUITE_P(Checks, PluginFixture, ::testing::ValuesIn(forksafe::test::fixtures()),
                         forksafe::test::fixtureTestName);

constexpr const char* kApp =
    "#include <forksafe/app.hpp>\n"
    "#include <string>\n"
    "namespace {\n"
    "long visits = 0;\n"
    "int quiet = 0;  // NOLINT(forksafe-per-worker-state)\n"
    "}\n"
    "FORKSAFE_APP(app) {\n"
    "  app.get(\"/\", [](const forksafe::Request&) {\n"
    "    quiet *= 3;\n"
    "    return forksafe::Response::text(std::to_string(++visits));\n"
    "  });\n"
    "}\n";

TEST(Plugin, ClangTidyConfigAndNolintWork) {
  TempDir dir;
  std::string source = dir.file("app.cpp", kApp);
  dir.file(".clang-tidy",
           "Checks: '-*,forksafe-per-worker-state'\nWarningsAsErrors: 'forksafe-*'\n");
  auto run = tidy({source, "--", "-std=c++17", "-I" FORKSAFE_RUNTIME_INCLUDE}, dir.path());
  EXPECT_NE(run.status, 0) << run.out;  // WarningsAsErrors
  Findings found = tidyFindings(run.out, source);
  EXPECT_EQ(found, (Findings{{4, "forksafe-per-worker-state"}})) << run.out;
}

TEST(Plugin, FixAppliesAtomicAndFixNotesMarksPerWorker) {
  TempDir dir;
  std::string source = dir.file("app.cpp", kApp);
  std::vector<std::string> flags = {"--", "-std=c++17", "-I" FORKSAFE_RUNTIME_INCLUDE};
  std::vector<std::string> args = {"--checks=-*,forksafe-unsynchronized-state", "--fix", source};
  args.insert(args.end(), flags.begin(), flags.end());
  auto run = tidy(args);
  std::string text = read_file(source);
  EXPECT_NE(text.find("std::atomic<long> visits = 0;"), std::string::npos) << text << run.err;
  EXPECT_NE(text.find("#include <atomic>\n"), std::string::npos) << text;

  args = {"--checks=-*,forksafe-per-worker-state", "--fix-notes", source};
  args.insert(args.end(), flags.begin(), flags.end());
  run = tidy(args);
  text = read_file(source);
  EXPECT_NE(text.find("FORKSAFE_PER_WORKER std::atomic<long> visits = 0;"), std::string::npos)
      << text << run.err;
  EXPECT_EQ(run_process({"/usr/bin/clang++-19", "-std=c++17", "-fsyntax-only",
                         "-I" FORKSAFE_RUNTIME_INCLUDE, source})
                .status,
            0)
      << text;
  args = {"--checks=-*,forksafe-per-worker-state,forksafe-unsynchronized-state", source};
  args.insert(args.end(), flags.begin(), flags.end());
  run = tidy(args);
  // `quiet *= 3` keeps std::atomic away: its race is still reported (one line lower now).
  EXPECT_EQ(tidyFindings(run.out, source), (Findings{{6, "forksafe-unsynchronized-state"}}))
      << run.out;
}

}  // namespace
