// Robustness, family 2: malformed compilation databases, listed cases and random JSON mutations,
// through the built forksafe-check: each run ends cleanly and names what it could not load.
#include <gtest/gtest.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/Path.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "robustness_mutation.h"
#include "robustness_support.h"

namespace {

using namespace forksafe::robustness;

// A project of two good sources (one with a finding) and a database directory to spoil.
struct DbProject {
  TempDir dir;
  std::string src() const { return dir.path() + "/src"; }
  std::string a() const { return src() + "/a.cpp"; }
  std::string b() const { return src() + "/b.cpp"; }
  std::string dbDir() const { return dir.path() + "/db"; }
  std::string db() const { return dbDir() + "/compile_commands.json"; }
  DbProject() {
    writeFile(
        a(),
        "int g_hits;\n[[clang::annotate(\"forksafe::handler\")]] void Handle() { ++g_hits; }\n");
    writeFile(b(), "int Helper() { return 1; }\n");
  }
  std::string entry(const std::string& file, const std::string& directory = "") const {
    return "{\"directory\": \"" + (directory.empty() ? src() : directory) + "\", \"file\": \"" +
           file + "\", \"command\": \"c++ -std=c++17 -c " + file + "\"}";
  }
};

struct DbCase {
  const char* name;
  // Writes the database (and whatever else the case needs); returns extra arguments (sources).
  std::function<std::vector<std::string>(DbProject&)> setup;
  std::vector<int> statuses;  // acceptable exit statuses
  int errorLines;             // exact number of "forksafe-check: error:" lines; -1: any
  const char* expected;       // substring of stderr ("" for none)
};

void PrintTo(const DbCase& c, std::ostream* os) { *os << c.name; }

const std::vector<DbCase>& dbCases() {
  using V = std::vector<std::string>;
  static const std::vector<DbCase> cases = {
      {"Truncated",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"/tmp\", \"file\": ");
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      // Clang's loader takes numbers for strings: "file" 2 in "directory" 1 is '1/2'.
      {"WrongTypes",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": 1, \"file\": 2, \"command\": 3}]");
         return V{};
       },
       {2},
       1,
       "cannot open '1/2'"},
      {"MissingFile",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"command\": \"c++ -c a.cpp\"}]");
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"MissingDirectory",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"file\": \"" + p.a() + "\", \"command\": \"c++ -c a.cpp\"}]");
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"MissingCommand",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.a() + "\"}]");
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"EmptyArray",
       [](DbProject& p) {
         writeFile(p.db(), "[]");
         return V{};
       },
       {2},
       1,
       "no input files"},
      {"ObjectInsteadOfArray",
       [](DbProject& p) {
         writeFile(p.db(), "{\"directory\": \"/\"}");
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"EmptyFile",
       [](DbProject& p) {
         writeFile(p.db(), "");
         return V{};
       },
       {2},
       1,
       ""},
      {"HugeDirectoryString",
       [](DbProject& p) {
         writeFile(p.db(), "[" + p.entry(p.a(), "/" + repeat("d", 1 << 20)) + "]");
         return V{};
       },
       {2},
       1,
       "does not exist"},
      {"HugeCommand",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.a() +
                               "\", \"command\": \"c++ " + repeat("-DX ", 200000) + "-c a.cpp\"}]");
         return V{};
       },
       {1},
       0,
       ""},
      {"NonexistentDirectory",
       [](DbProject& p) {
         writeFile(p.db(), "[" + p.entry(p.a(), "/nonexistent/forksafe/dir") + "]");
         return V{};
       },
       {2},
       1,
       "'/nonexistent/forksafe/dir' does not exist"},
      {"RelativeDirectory",
       [](DbProject& p) {
         writeFile(
             p.db(),
             "[{\"directory\": \"src\", \"file\": \"a.cpp\", \"command\": \"c++ -c a.cpp\"}]");
         return V{};
       },
       {2},
       1,
       ""},
      {"EmptyArguments",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.a() +
                               "\", \"arguments\": []}]");
         return V{};
       },
       {2},
       1,
       "is empty"},
      {"EmptyCommand",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.a() +
                               "\", \"command\": \"\"}]");
         return V{};
       },
       {2},
       1,
       "is empty"},
      {"CompilerOnly",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.a() +
                               "\", \"arguments\": [\"c++\"]}]");
         return V{};
       },
       {2},
       1,
       "cannot parse"},
      {"UnbalancedQuotes",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.a() +
                               "\", \"command\": \"c++ -c 'a.cpp -DX=\\\"y\"}]");
         return V{};
       },
       {1, 2},
       -1,
       ""},
      {"BinaryGarbage",
       [](DbProject& p) {
         Rng rng(7);
         writeFile(p.db(), randomBytes(rng, 4096));
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"NulBytes",
       [](DbProject& p) {
         writeFile(p.db(), std::string("[{\"directory\": \"") + p.src() + std::string("\0\0", 2) +
                               "\", \"file\": \"" + p.a() + "\", \"command\": \"c++ -c a.cpp\"}]");
         return V{};
       },
       {2},
       1,
       ""},
      {"EscapedNulInPath",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.src() +
                               "/a\\u0000.cpp\", \"command\": \"c++ -c a.cpp\"}]");
         return V{};
       },
       {2},
       1,
       ""},
      {"DeeplyNestedArrays",
       [](DbProject& p) {
         writeFile(p.db(), repeat("[", 200000) + repeat("]", 200000));
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"DeeplyNestedObjects",
       [](DbProject& p) {
         writeFile(p.db(), "[" + repeat("{\"a\": ", 200000) + "1" + repeat("}", 200000) + "]");
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"DeeplyNestedArguments",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.a() +
                               "\", \"arguments\": " + repeat("[", 200000) + repeat("]", 200000) +
                               "}]");
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"DuplicateEntries",
       [](DbProject& p) {
         writeFile(p.db(),
                   "[" + p.entry(p.a()) + "," + p.entry(p.a()) + "," + p.entry(p.b()) + "]");
         return V{};
       },
       {1},
       0,
       ""},
      {"FileIsADirectory",
       [](DbProject& p) {
         writeFile(p.db(), "[" + p.entry(p.src()) + "]");
         return V{};
       },
       {2},
       1,
       "it is a directory"},
      {"FileIsASymlinkLoop",
       [](DbProject& p) {
         llvm::sys::fs::create_link(p.src() + "/loop.cpp", p.src() + "/loop.cpp");
         writeFile(p.db(), "[" + p.entry(p.src() + "/loop.cpp") + "," + p.entry(p.a()) + "]");
         return V{};
       },
       {2},
       1,
       "loop.cpp"},
      {"DatabaseIsASymlinkLoop",
       [](DbProject& p) {
         llvm::sys::fs::create_directories(p.dbDir());
         llvm::sys::fs::create_link(p.db(), p.db());
         return V{};
       },
       {2},
       1,
       "compile_commands.json"},
      {"DatabaseIsADirectory",
       [](DbProject& p) {
         llvm::sys::fs::create_directories(p.db());
         return V{};
       },
       {2},
       1,
       "compile_commands.json"},
      {"NonUtf8Path",
       [](DbProject& p) {
         std::string odd = p.src() + "/\xff\xfe\xc0.cpp";
         writeFile(odd, "int g_odd;\nvoid Odd() { ++g_odd; }\n");
         writeFile(p.db(), "[" + p.entry(odd) + "]");
         return V{};
       },
       {0, 1, 2},
       -1,
       ""},
      {"SomeEntriesBad",
       [](DbProject& p) {
         writeFile(p.db(), "[" + p.entry(p.a()) + "," + p.entry(p.src() + "/missing.cpp") + "," +
                               p.entry(p.b(), "/nonexistent/forksafe/dir") + "]");
         return V{};
       },
       {2},
       2,
       "missing.cpp"},
      {"FiftyMegabytes",
       [](DbProject& p) {
         std::string text = "[" + p.entry(p.a());
         std::string pad = repeat("x", 400);
         for (int i = 0; text.size() < (50u << 20); ++i)
           text += ",{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.src() + "/gen/f" +
                   std::to_string(i) + ".cpp\", \"command\": \"c++ -DPAD=" + pad + " -c f" +
                   std::to_string(i) + ".cpp\"}";
         writeFile(p.db(), text + "]");
         return V{p.a()};
       },
       {1},
       0,
       ""},
  };
  return cases;
}

class MalformedDatabase : public ::testing::TestWithParam<DbCase> {};

TEST_P(MalformedDatabase, EndsCleanly) {
  DbProject p;
  std::vector<std::string> sources = GetParam().setup(p);
  std::vector<std::string> argv = {FORKSAFE_CHECK_BINARY, "--no-cache", "--format=json", "-p",
                                   p.dbDir()};
  argv.insert(argv.end(), sources.begin(), sources.end());
  ProcessResult r = runBounded(argv);
  std::string problem = basicProblems(r);
  ASSERT_EQ(problem, "") << r.err.substr(0, 2000);
  const std::vector<int>& ok = GetParam().statuses;
  EXPECT_NE(std::find(ok.begin(), ok.end(), r.status), ok.end()) << "status " << r.status << "\n"
                                                                 << r.err.substr(0, 2000);
  size_t errorLines = countOf(r.err, "forksafe-check: error:");
  if (GetParam().errorLines >= 0) {
    EXPECT_EQ(errorLines, static_cast<size_t>(GetParam().errorLines)) << r.err.substr(0, 2000);
  }
  if (r.status == 2) {
    EXPECT_GE(errorLines, 1u);
  }
  EXPECT_NE(r.err.find(GetParam().expected), std::string::npos) << r.err.substr(0, 2000);
  for (const std::string& line : linesOf(r.err)) {
    EXPECT_EQ(line.rfind("forksafe-check: ", 0), 0u)
        << "stray stderr line: " << line.substr(0, 200);
    EXPECT_LT(line.size(), 8192u) << "an error line must stay readable: " << line.substr(0, 200);
  }
  if (r.status == 1) {
    // A database that loads must give the same findings as a clean one: nothing twice.
    EXPECT_EQ(countOf(r.out, "\"rule\": \"forksafe-per-worker-state\""), 1u) << r.out;
  }
}

INSTANTIATE_TEST_SUITE_P(Robustness, MalformedDatabase, ::testing::ValuesIn(dbCases()),
                         [](const ::testing::TestParamInfo<DbCase>& param) {
                           return std::string(param.param.name);
                         });

TEST(Robustness, MutatedDatabases) {
  uint64_t seed = seedFromEnv();
  uint64_t count = envNumber("FORKSAFE_ROBUSTNESS_DB_COUNT", 200);
  Rng rng(seed ^ 0xdb);
  DbProject p;
  writeFile(p.src() + "/c.cpp", "int broken( { not C++\n");
  std::string valid = "[\n  " + p.entry(p.a()) + ",\n  {\"directory\": \"" + p.src() +
                      "\", \"file\": \"" + p.b() +
                      "\", \"arguments\": [\"c++\", \"-std=c++17\", \"-c\", \"b.cpp\"]},\n  " +
                      p.entry(p.src() + "/c.cpp") + "\n]\n";
  size_t loaded = 0, failures = 0;
  for (uint64_t i = 0; i < count && failures < 5; ++i) {
    std::string text = mutateJson(rng, valid);
    writeFile(p.db(), text);
    std::vector<std::string> argv = {FORKSAFE_CHECK_BINARY, "--no-cache", "-p", p.dbDir()};
    ProcessResult r = runBounded(argv);
    std::vector<std::string> problems;
    if (std::string b = basicProblems(r); !b.empty()) problems.push_back(b);
    size_t errorLines = countOf(r.err, "forksafe-check: error:");
    if (r.status == 2 && errorLines == 0) problems.push_back("exit 2 without an error line");
    if (r.err.find("cannot load compilation database") != std::string::npos && errorLines != 1)
      problems.push_back("a database that does not load must be one error line");
    for (const std::string& line : linesOf(r.err))
      if (line.rfind("forksafe-check: ", 0) != 0)
        problems.push_back("stray stderr line: " + line.substr(0, 200));
    loaded += r.err.find("cannot load compilation database") == std::string::npos;
    if (!problems.empty()) {
      ++failures;
      std::string where = keepFailure("seed-" + std::to_string(seed) + "-db-" + std::to_string(i),
                                      {{"compile_commands.json", text}, {"stderr.txt", r.err}});
      std::string all;
      for (const std::string& pr : problems) all += "\n  " + pr;
      ADD_FAILURE() << "FORKSAFE_ROBUSTNESS_SEED=" << seed << ", database mutation " << i << ":"
                    << all << "\ndatabase kept in " << where << "\nstderr:\n"
                    << r.err.substr(0, 2000);
    }
  }
  std::printf("robustness: %llu mutated databases, %zu still loaded\n",
              static_cast<unsigned long long>(count), loaded);
}

}  // namespace
