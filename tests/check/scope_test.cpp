// End-to-end tests of what forksafe-check reports on and for which program: third-party code
// (--header-filter, --exclude-header-filter, --system-headers and their .forksafe.yaml keys),
// several programs in one database (every definition kept, any file order), and the deployment
// model (prefork or replicas).
#include <gtest/gtest.h>
#include <llvm/Support/JSON.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "test_util.h"

namespace {

using forksafe::test::ProcessResult;
using forksafe::test::runChecker;
using forksafe::test::TempDir;

// (file relative to the project, line, rule) of every finding in a JSON report.
using Found = std::set<std::tuple<std::string, unsigned, std::string>>;

Found findings(const TempDir& dir, const ProcessResult& r) {
  Found out;
  auto doc = llvm::json::parse(r.out);
  EXPECT_TRUE(static_cast<bool>(doc)) << r.out << r.err;
  if (!doc) return out;
  for (const llvm::json::Value& v : *doc->getAsObject()->getArray("findings")) {
    const llvm::json::Object& f = *v.getAsObject();
    std::string file = f.getString("file")->str();
    if (file.rfind(dir.path() + "/", 0) == 0) file = file.substr(dir.path().size() + 1);
    out.insert({file, static_cast<unsigned>(*f.getInteger("line")), f.getString("rule")->str()});
  }
  return out;
}

bool reportedIn(const Found& found, const std::string& file) {
  return std::any_of(found.begin(), found.end(),
                     [&](const auto& f) { return std::get<0>(f) == file; });
}

// A handler that writes state declared in a vendored framework header (inside the project
// tree), in a header marked as a system header, in an -isystem header and in the user's own
// header, plus a user static member written only by the framework's template.
class CheckCliThirdParty : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.file("third_party/crow/crow_all.h", R"(#pragma once
namespace crow {
inline int connections = 0;
struct App {
  void handle() { ++connections; }
};
template <class Route> void dispatch() { ++Route::served; }
}  // namespace crow
)");
    dir_.file("sys/vendorlib.h", "#pragma once\nnamespace vendor { inline int calls = 0; }\n");
    dir_.file(
        "include/pragma_system.h",
        "#pragma once\n#pragma GCC system_header\nnamespace legacy { inline int hits = 0; }\n");
    dir_.file("include/state.h", "#pragma once\ninline int g_state = 0;\n");
    source_ = dir_.file("src/app.cpp", R"(#include "forksafe/annotations.hpp"
#include "crow/crow_all.h"
#include "pragma_system.h"
#include "state.h"
#include <vendorlib.h>
struct Hello { static int served; };
int Hello::served = 0;
int g_mine = 0;
FORKSAFE_HANDLER int Handle() {
  crow::App().handle();
  crow::dispatch<Hello>();
  ++vendor::calls;
  ++legacy::hits;
  ++g_state;
  return ++g_mine;
}
)");
  }

  Found run(std::vector<std::string> args) {
    args.insert(args.begin(), {source_, "--format=json", "--quiet"});
    args.insert(args.end(), {"--", "-std=c++17", "-I" FORKSAFE_RUNTIME_INCLUDE,
                             "-I" + dir_.path() + "/third_party", "-I" + dir_.path() + "/include",
                             "-isystem", dir_.path() + "/sys"});
    ProcessResult r = runChecker(args, dir_.path());
    EXPECT_EQ(r.status, 1) << r.err;
    return findings(dir_, r);
  }

  TempDir dir_;
  std::string source_;
};

TEST_F(CheckCliThirdParty, DefaultReportsOnlyTheUsersCode) {
  Found found = run({});
  EXPECT_TRUE(found.count({"src/app.cpp", 8, "forksafe-per-worker-state"}));
  EXPECT_TRUE(found.count({"include/state.h", 2, "forksafe-per-worker-state"}));
  EXPECT_FALSE(reportedIn(found, "third_party/crow/crow_all.h"));
  EXPECT_FALSE(reportedIn(found, "sys/vendorlib.h"));
  EXPECT_FALSE(reportedIn(found, "include/pragma_system.h"));
  // Declared by the user, but its only write is in the framework's template.
  EXPECT_FALSE(found.count({"src/app.cpp", 7, "forksafe-per-worker-state"}));
}

TEST_F(CheckCliThirdParty, HeaderFilterReplacesTheFrameworkDefault) {
  Found found = run({"--header-filter=.*"});
  EXPECT_TRUE(found.count({"third_party/crow/crow_all.h", 3, "forksafe-per-worker-state"}));
  EXPECT_TRUE(found.count({"src/app.cpp", 7, "forksafe-per-worker-state"}));
  EXPECT_TRUE(found.count({"include/state.h", 2, "forksafe-per-worker-state"}));
  EXPECT_FALSE(reportedIn(found, "sys/vendorlib.h"));  // system headers need --system-headers

  // Only what the filter matches: the user's own header is not.
  Found crowOnly = run({"--header-filter=third_party"});
  EXPECT_TRUE(reportedIn(crowOnly, "third_party/crow/crow_all.h"));
  EXPECT_FALSE(reportedIn(crowOnly, "include/state.h"));
  EXPECT_TRUE(crowOnly.count({"src/app.cpp", 8, "forksafe-per-worker-state"}));  // sources always
}

TEST_F(CheckCliThirdParty, ExcludeHeaderFilterWins) {
  Found found = run({"--header-filter=.*", "--exclude-header-filter=crow|state\\.h"});
  EXPECT_FALSE(reportedIn(found, "third_party/crow/crow_all.h"));
  EXPECT_FALSE(reportedIn(found, "include/state.h"));
  EXPECT_TRUE(found.count({"src/app.cpp", 8, "forksafe-per-worker-state"}));
  Found byDefault = run({"--exclude-header-filter=state\\.h"});
  EXPECT_FALSE(reportedIn(byDefault, "include/state.h"));
  EXPECT_FALSE(reportedIn(byDefault, "third_party/crow/crow_all.h"));
}

TEST_F(CheckCliThirdParty, SystemHeadersOnRequest) {
  Found found = run({"--system-headers"});
  EXPECT_TRUE(found.count({"sys/vendorlib.h", 2, "forksafe-per-worker-state"}));
  EXPECT_TRUE(found.count({"include/pragma_system.h", 3, "forksafe-per-worker-state"}));
  EXPECT_FALSE(reportedIn(found, "third_party/crow/crow_all.h"));
}

TEST_F(CheckCliThirdParty, ConfigurationKeys) {
  dir_.file(
      ".forksafe.yaml",
      "HeaderFilterRegex: '.*'\nExcludeHeaderFilterRegex: 'state\\.h'\nSystemHeaders: true\n");
  Found found = run({});
  EXPECT_TRUE(reportedIn(found, "third_party/crow/crow_all.h"));
  EXPECT_TRUE(reportedIn(found, "sys/vendorlib.h"));
  EXPECT_FALSE(reportedIn(found, "include/state.h"));
  // The command line overrides the file.
  Found overridden = run({"--header-filter=state", "--exclude-header-filter="});
  EXPECT_TRUE(reportedIn(overridden, "include/state.h"));
  EXPECT_FALSE(reportedIn(overridden, "third_party/crow/crow_all.h"));
}

TEST(CheckCliScope, BadFiltersAndDeploymentAreOneLineErrors) {
  TempDir dir;
  std::string src = dir.file("a.cpp", "int main() { return 0; }\n");
  for (std::vector<std::string> args : {std::vector<std::string>{"--header-filter=("},
                                        {"--exclude-header-filter=[a"},
                                        {"--deployment=forked"}}) {
    args.insert(args.begin(), src);
    args.insert(args.end(), {"--", "-std=c++17"});
    ProcessResult r = runChecker(args);
    EXPECT_EQ(r.status, 2) << args[1];
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("error:"), std::string::npos) << r.err;
  }
  for (const std::string& yaml :
       {std::string("Checks: '*'\nSystemHeaders: maybe\n"), std::string("Deployment: forked\n"),
        std::string("Checks: '*'\n\nHeaderFilterRegex: '('\n")}) {
    dir.file(".forksafe.yaml", yaml);
    ProcessResult r = runChecker({src, "--", "-std=c++17"});
    EXPECT_EQ(r.status, 2) << yaml;
    size_t lines = std::count(yaml.begin(), yaml.end(), '\n');
    EXPECT_NE(r.err.find(".forksafe.yaml:" + std::to_string(lines)), std::string::npos) << r.err;
  }
}

// Two forksafe apps (each defines extern "C" forksafe_app_register, each has a static helper()
// of its own) and two executables (one forks its workers, one runs as replicas).
class CheckCliPrograms : public ::testing::Test {
 protected:
  void SetUp() override {
    files_.push_back(dir_.file("a.cpp", R"(#include <forksafe/app.hpp>
#include <thread>
namespace { int hits = 0; std::thread* worker = nullptr; }
static int helper() { static int calls = 0; return ++calls; }
FORKSAFE_APP(app) {
  worker = new std::thread([] {});
  app.get("/", [](const forksafe::Request&) { ++hits; helper(); return forksafe::Response::text("a"); });
}
)"));
    files_.push_back(dir_.file("c.cpp", R"(#include <forksafe/app.hpp>
#include <unistd.h>
namespace { long pid = 0; long total = 0; }
static int helper() { static int calls = 0; return ++calls; }
FORKSAFE_APP(app) {
  pid = getpid();
  app.get("/", [](const forksafe::Request&) { total += pid; helper(); return forksafe::Response::text("c"); });
}
)"));
    files_.push_back(dir_.file("m1.cpp", R"(#include <thread>
#include <unistd.h>
int served = 0;
int serve_forever(void (*handler)());
static void serve() { ++served; }
int main() {
  std::thread t([] {});
  if (fork() == 0) return serve_forever(serve);
  t.join();
}
)"));
    files_.push_back(dir_.file("m2.cpp", R"(#include <random>
#include <thread>
int requests = 0;
int serve_forever(void (*handler)());
static void serve() { ++requests; }
int main() {
  std::thread t([] {});
  t.detach();
  return serve_forever(serve);
}
)"));
  }

  // compile_commands.json with the entries in `order`.
  void writeDatabase(const std::vector<size_t>& order) {
    std::vector<std::string> files;
    for (size_t i : order) files.push_back(files_[i]);
    forksafe::test::writeCompileCommands(dir_, files);
  }

  ProcessResult run(std::vector<std::string> args) {
    args.insert(args.begin(), {"-p", dir_.path() + "/build", "--format=json", "--quiet"});
    return runChecker(args, dir_.path(), cache_.path());
  }

  TempDir dir_, cache_;
  std::vector<std::string> files_;
};

TEST_F(CheckCliPrograms, EveryDefinitionIsAnalysedInAnyOrder) {
  std::vector<size_t> order = {0, 1, 2, 3};
  writeDatabase(order);
  // From the project directory, as run() is: the fingerprints in the JSON are relative to it.
  ProcessResult first = runChecker(
      {"-p", dir_.path() + "/build", "--format=json", "--quiet", "-j1", "--no-cache"}, dir_.path());
  ASSERT_EQ(first.status, 1) << first.err;
  Found found = findings(dir_, first);
  // Both apps' registration functions are analysed: their init-time findings are both there.
  EXPECT_TRUE(found.count({"a.cpp", 3, "forksafe-prefork-thread"}));
  EXPECT_TRUE(found.count({"c.cpp", 3, "forksafe-prefork-pid"}));
  // Each app's own static helper() and its function-local static.
  EXPECT_TRUE(found.count({"a.cpp", 4, "forksafe-per-worker-state"}));
  EXPECT_TRUE(found.count({"c.cpp", 4, "forksafe-per-worker-state"}));
  // m1 forks before serving: pre-fork; m2 never forks: replicas, its thread is fine.
  EXPECT_TRUE(found.count({"m1.cpp", 7, "forksafe-prefork-thread"}));
  EXPECT_FALSE(found.count({"m2.cpp", 7, "forksafe-prefork-thread"}));
  // The executables have no handler root of their own: their entry points are inferred although
  // the apps have handlers.
  EXPECT_TRUE(found.count({"m1.cpp", 3, "forksafe-per-worker-state"}));
  EXPECT_TRUE(found.count({"m2.cpp", 3, "forksafe-per-worker-state"}));

  // Every permutation of the database, and of the files on the command line, with -j1 and -j4.
  size_t runs = 0;
  do {
    writeDatabase(order);
    ProcessResult r = run({runs % 2 ? "-j4" : "-j1"});
    EXPECT_EQ(r.out, first.out) << "database order " << order[0] << order[1] << order[2]
                                << order[3];
    std::vector<std::string> cli = {"-j2"};
    for (size_t i : order) cli.push_back(files_[i]);
    ProcessResult named = run(cli);
    EXPECT_EQ(named.out, first.out)
        << "command-line order " << order[0] << order[1] << order[2] << order[3];
    ++runs;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(runs, 24u);
}

TEST_F(CheckCliPrograms, DeploymentIsNamedAndCanBeForced) {
  writeDatabase({0, 1, 2, 3});
  ProcessResult text =
      runChecker({"-p", dir_.path() + "/build", "--quiet"}, dir_.path(), cache_.path());
  EXPECT_NE(text.out.find("[deployment: prefork, main() calls fork() before serving]"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("every replica has its own copy"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("[deployment: replicas, main() does not fork"), std::string::npos)
      << text.out;
  Found forced = findings(dir_, run({"--deployment=prefork"}));
  EXPECT_TRUE(forced.count({"m2.cpp", 7, "forksafe-prefork-thread"}));
  Found replicas = findings(dir_, run({"--deployment=replicas"}));
  EXPECT_FALSE(replicas.count({"m1.cpp", 7, "forksafe-prefork-thread"}));
  EXPECT_FALSE(replicas.count({"a.cpp", 3, "forksafe-prefork-thread"}));
  EXPECT_TRUE(replicas.count({"a.cpp", 3, "forksafe-per-worker-state"}));
  // Deployment in .forksafe.yaml applies to the sources under it.
  dir_.file(".forksafe.yaml", "Deployment: replicas\n");
  Found configured = findings(dir_, run({}));
  EXPECT_FALSE(configured.count({"m1.cpp", 7, "forksafe-prefork-thread"}));
}

}  // namespace
