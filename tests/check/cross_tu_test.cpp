// Whole-program analysis across translation units: the link phase, the cache, and -j.
#include <gtest/gtest.h>
#include <llvm/Support/JSON.h>

#include <set>
#include <string>
#include <tuple>

#include "test_util.h"

namespace {

using forksafe::test::ProcessResult;
using forksafe::test::runChecker;
using forksafe::test::TempDir;
using forksafe::test::writeCompileCommands;

struct Reported {
  std::string rule, file, symbol;
  unsigned line;
  std::vector<std::string> notes;  // "file:line message"
};

std::vector<Reported> findings(const ProcessResult& r) {
  std::vector<Reported> out;
  auto doc = llvm::json::parse(r.out);
  if (!doc) {
    llvm::consumeError(doc.takeError());
    ADD_FAILURE() << "not JSON: " << r.out << r.err;
    return out;
  }
  for (const llvm::json::Value& v : *doc->getAsObject()->getArray("findings")) {
    const llvm::json::Object& f = *v.getAsObject();
    Reported rep{f.getString("rule")->str(),
                 f.getString("file")->str(),
                 f.getString("symbol")->str(),
                 static_cast<unsigned>(*f.getInteger("line")),
                 {}};
    for (const llvm::json::Value& n : *f.getArray("notes")) {
      const llvm::json::Object& note = *n.getAsObject();
      rep.notes.push_back(note.getString("file")->str() + ":" +
                          std::to_string(*note.getInteger("line")) + " " +
                          note.getString("message")->str());
    }
    out.push_back(std::move(rep));
  }
  return out;
}

// A small service spread over files: the global lives in store.cpp, the writer in cache.cpp,
// the handler that reaches it in routes.cpp and the init code that also sets it in init.cpp.
struct Project {
  TempDir dir;
  std::vector<std::string> files;
  Project() {
    dir.file("include/store.h",
             "#pragma once\n#include <map>\n#include <string>\n"
             "extern std::map<std::string, std::string> g_store;\n"
             "extern int g_configured;\n"
             "void Put(const std::string& k, const std::string& v);\n"
             "void Configure();\n"
             "struct Sink { virtual ~Sink() = default; virtual void Emit(int) = 0; };\n"
             "Sink& TheSink();\n");
    files.push_back(dir.file("src/store.cpp",
                             "#include \"store.h\"\n"
                             "std::map<std::string, std::string> g_store;\n"  // line 2
                             "int g_configured = 0;\n"));
    files.push_back(dir.file("src/cache.cpp",
                             "#include \"store.h\"\n"
                             "void Put(const std::string& k, const std::string& v) {\n"
                             "  g_store[k] = v;\n"  // line 3
                             "}\n"
                             "void Configure() { g_configured = 1; }\n"));
    files.push_back(
        dir.file("src/sink.cpp",
                 "#include \"store.h\"\n"
                 "int g_emitted = 0;\n"  // line 2
                 "struct CountingSink : Sink { void Emit(int n) override { g_emitted += n; } };\n"
                 "Sink& TheSink() { static CountingSink sink; return sink; }\n"));
    files.push_back(dir.file("src/routes.cpp",
                             "#include \"store.h\"\n#include <forksafe/annotations.hpp>\n"
                             "FORKSAFE_HANDLER void Save() {\n"  // line 3
                             "  Put(\"k\", \"v\");\n"
                             "  TheSink().Emit(1);\n"
                             "}\n"));
    files.push_back(dir.file("src/init.cpp",
                             "#include \"store.h\"\n#include <forksafe/annotations.hpp>\n"
                             "FORKSAFE_INIT void Init() { Configure(); }\n"));
    writeCompileCommands(dir, files);
  }
  std::string build() const { return dir.path() + "/build"; }
};

TEST(CrossTu, WriteInAnotherTuReachedFromAHandlerIsReportedWithThePath) {
  Project p;
  ProcessResult r =
      runChecker({"-p", p.build(), "--format=json", "--checks=-*,forksafe-per-worker-state"});
  ASSERT_EQ(r.status, 1) << r.err;
  std::vector<Reported> found = findings(r);
  const Reported* store = nullptr;
  for (const Reported& f : found)
    if (f.symbol == "g_store") store = &f;
  ASSERT_NE(store, nullptr) << r.out;
  EXPECT_EQ(store->file, p.dir.path() + "/src/store.cpp");
  EXPECT_EQ(store->line, 2u);
  bool writeNote = false, pathNote = false;
  for (const std::string& n : store->notes) {
    writeNote |= n.rfind(p.dir.path() + "/src/cache.cpp:3 ", 0) == 0;
    pathNote |= n.find("reached from handler 'Save()' via Save() -> Put()") != std::string::npos;
  }
  EXPECT_TRUE(writeNote) << r.out;
  EXPECT_TRUE(pathNote) << r.out;
}

TEST(CrossTu, VirtualOverrideInAnotherTu) {
  Project p;
  ProcessResult r =
      runChecker({"-p", p.build(), "--format=json", "--checks=-*,forksafe-per-worker-state"});
  std::set<std::string> symbols;
  for (const Reported& f : findings(r)) symbols.insert(f.symbol);
  EXPECT_TRUE(symbols.count("g_emitted")) << r.out;
  EXPECT_FALSE(symbols.count("g_configured")) << "written only from another TU's init root";
}

TEST(CrossTu, SeparateProgramsMainIsNotARequestPath) {
  TempDir dir;
  std::vector<std::string> files;
  dir.file("include/admin.h", "#pragma once\nvoid ResetAll();\n");
  files.push_back(dir.file("admin.cpp",
                           "#include \"admin.h\"\nint g_resets = 0;\n"
                           "void ResetAll() { ++g_resets; }\n"));
  files.push_back(dir.file("admin_main.cpp", "#include \"admin.h\"\nint main() { ResetAll(); }\n"));
  files.push_back(dir.file("server_main.cpp",
                           "#include <functional>\nint g_hits = 0;\n"
                           "void Route(std::function<void()> f);\n"
                           "int main() { Route([] { ++g_hits; }); }\n"));
  writeCompileCommands(dir, files);
  ProcessResult whole = runChecker(
      {"-p", dir.path() + "/build", "--format=json", "--checks=-*,forksafe-per-worker-state"});
  std::set<std::string> symbols;
  for (const Reported& f : findings(whole)) symbols.insert(f.symbol);
  EXPECT_TRUE(symbols.count("g_hits")) << whole.out;
  EXPECT_FALSE(symbols.count("g_resets")) << whole.out;
  // Named with -p, admin.cpp is reported from the whole database: ResetAll() is admin's main()'s.
  ProcessResult named = runChecker({"-p", dir.path() + "/build", "--format=json",
                                    "--checks=-*,forksafe-per-worker-state", files[0]});
  EXPECT_EQ(named.status, 0) << named.out << named.err;
  // Alone (flags instead of the database), admin.cpp cannot know its caller: ResetAll() might
  // run per request.
  ProcessResult alone = runChecker({"--format=json", "--checks=-*,forksafe-per-worker-state",
                                    files[0], "--", "-std=c++17", "-I" + dir.path() + "/include"});
  EXPECT_EQ(alone.status, 1) << alone.out << alone.err;
}

TEST(CrossTu, CacheHitsAndInvalidation) {
  Project p;
  TempDir cache;
  std::vector<std::string> args = {"-p", p.build(), "--format=json"};
  ProcessResult cold = runChecker(args, "", cache.path());
  ASSERT_EQ(cold.status, 1) << cold.err;
  EXPECT_EQ(cold.err.find("from cache"), std::string::npos) << cold.err;
  ProcessResult warm = runChecker(args, "", cache.path());
  EXPECT_NE(warm.err.find("5 file(s) checked (5 from cache)"), std::string::npos) << warm.err;
  EXPECT_EQ(warm.out, cold.out);
  // Touch one TU: only it is parsed again. Change the shared header: every includer is.
  p.dir.file("src/sink.cpp",
             "#include \"store.h\"\nint g_emitted = 0;\n"
             "struct CountingSink : Sink { void Emit(int n) override { g_emitted = n; } };\n"
             "Sink& TheSink() { static CountingSink sink; return sink; }\n");
  ProcessResult oneChanged = runChecker(args, "", cache.path());
  EXPECT_NE(oneChanged.err.find("5 file(s) checked (4 from cache)"), std::string::npos)
      << oneChanged.err;
  p.dir.file("include/store.h",
             "#pragma once\n#include <map>\n#include <string>\n"
             "extern std::map<std::string, std::string> g_store;\n"
             "extern int g_configured;\n"
             "void Put(const std::string& k, const std::string& v);\n"
             "void Configure();\n"
             "struct Sink { virtual ~Sink() = default; virtual void Emit(int) = 0; };\n"
             "Sink& TheSink();\n// changed\n");
  ProcessResult headerChanged = runChecker(args, "", cache.path());
  EXPECT_NE(headerChanged.err.find("5 file(s) checked:"), std::string::npos) << headerChanged.err;
  EXPECT_EQ(headerChanged.out, oneChanged.out);
}

TEST(CrossTu, ResultsDoNotDependOnJobs) {
  Project p;
  ProcessResult one = runChecker({"-p", p.build(), "--format=json", "-j", "1"});
  ProcessResult four = runChecker({"-p", p.build(), "--format=json", "-j", "4"});
  ASSERT_EQ(one.status, 1) << one.err;
  EXPECT_EQ(one.out, four.out);
  EXPECT_EQ(one.status, four.status);
}

}  // namespace
