// End-to-end tests of forksafe-check for CI and editors (issue #13): named files are reported
// from a whole-program analysis, baselines, --diff and --line-filter, trustworthy SARIF, notes
// printed once, and check globs or configuration errors that say where they are wrong.
#include <gtest/gtest.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/FormatVariadic.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Program.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

using forksafe::test::ProcessResult;
using forksafe::test::read_file;
using forksafe::test::runProcess;
using forksafe::test::TempDir;
using forksafe::test::writeCompileCommands;

// The example: handlers in app.cpp write a singleton defined in store.cpp (through
// Store::put) and a global of store.cpp (through touch_store()); other.cpp has its own handler
// and global, unrelated to app.cpp.
struct Project {
  TempDir dir;
  std::string app, store, other;
  Project() {
    dir.file("include/store.h",
             "#pragma once\n#include <map>\n#include <string>\n"
             "class Store {\n public:\n  void put(const std::string& k, const std::string& v);\n"
             " private:\n  std::map<std::string, std::string> map_;\n};\n"
             "Store& store();\nvoid touch_store();\n");
    store =
        dir.file("store.cpp",
                 "#include \"store.h\"\n"
                 "Store& store() {\n  static Store instance;\n  return instance;\n}\n"
                 "void Store::put(const std::string& k, const std::string& v) { map_[k] = v; }\n"
                 "int g_store_hits = 0;\n"
                 "void touch_store() { ++g_store_hits; }\n");
    app = dir.file("app.cpp",
                   "#include \"forksafe/annotations.hpp\"\n#include \"store.h\"\n"
                   "FORKSAFE_HANDLER void save(const std::string& k) {\n"
                   "  store().put(k, \"v\");\n}\n"
                   "FORKSAFE_HANDLER void load() { touch_store(); }\n");
    other = dir.file("other.cpp",
                     "#include \"forksafe/annotations.hpp\"\n"
                     "long g_other = 0;\n"
                     "FORKSAFE_HANDLER void ping() { ++g_other; }\n");
    writeCompileCommands(dir, {app, store, other});
  }
  std::string build() const { return dir.path() + "/build"; }
};

ProcessResult check(std::vector<std::string> args, const std::string& cwd = "",
                    const std::string& cache = "") {
  return forksafe::test::runChecker(std::move(args), cwd, cache);
}

llvm::json::Value parse(const std::string& text) {
  auto doc = llvm::json::parse(text);
  EXPECT_TRUE(static_cast<bool>(doc)) << text;
  if (!doc) {
    llvm::consumeError(doc.takeError());
    return nullptr;
  }
  return std::move(*doc);
}

const llvm::json::Array& findingsOf(const llvm::json::Value& doc) {
  static const llvm::json::Array kNone;
  const llvm::json::Object* root = doc.getAsObject();
  const llvm::json::Array* findings = root ? root->getArray("findings") : nullptr;
  return findings ? *findings : kNone;
}

// "rule symbol file:line" of each finding, for readable comparisons.
std::vector<std::string> summary(const llvm::json::Array& findings) {
  std::vector<std::string> out;
  for (const llvm::json::Value& v : findings) {
    const llvm::json::Object& f = *v.getAsObject();
    out.push_back(f.getString("rule")->str() + " " + f.getString("symbol")->str() + " " +
                  llvm::sys::path::filename(*f.getString("file")).str() + ":" +
                  std::to_string(*f.getInteger("line")));
  }
  return out;
}

TEST(CheckCiReport, NamedFileWithDatabaseGetsItsFindingsOfTheFullRun) {
  Project p;
  TempDir cache;
  ProcessResult full = check({"-p", p.build(), "--format=json"}, "", cache.path());
  ASSERT_EQ(full.status, 1) << full.err;
  llvm::json::Value fullDoc = parse(full.out);
  ASSERT_EQ(findingsOf(fullDoc).size(), 6u) << full.out;

  // Which findings each file gets: app.cpp's handlers write both variables of store.cpp (the
  // singleton through Store::put(), g_store_hits through the call of touch_store()), store.cpp
  // declares them, other.cpp only has its own.
  const std::vector<std::string> storeFindings = {
      "forksafe-per-worker-state store()::instance store.cpp:3",
      "forksafe-unsynchronized-state store()::instance store.cpp:3",
      "forksafe-per-worker-state g_store_hits store.cpp:7",
      "forksafe-unsynchronized-state g_store_hits store.cpp:7"};
  const std::map<std::string, std::vector<std::string>> expected = {
      {p.app, storeFindings},
      {p.store, storeFindings},
      {p.other,
       {"forksafe-per-worker-state g_other other.cpp:2",
        "forksafe-unsynchronized-state g_other other.cpp:2"}}};
  for (const auto& [file, names] : expected) {
    ProcessResult one = check({"-p", p.build(), "--format=json", file}, "", cache.path());
    ASSERT_EQ(one.status, 1) << file << one.err;
    llvm::json::Value oneDoc = parse(one.out);
    std::vector<std::string> got = summary(findingsOf(oneDoc));
    std::vector<std::string> want = names;
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << file;
    // Each is exactly the full run's finding, messages and notes included: the analysis was the
    // whole program (no "no handler is annotated" for store.cpp alone).
    for (const llvm::json::Value& f : findingsOf(oneDoc))
      EXPECT_NE(std::find(findingsOf(fullDoc).begin(), findingsOf(fullDoc).end(), f),
                findingsOf(fullDoc).end())
          << file << ": " << llvm::formatv("{0:2}", f).str();
    EXPECT_NE(one.err.find("1 file(s) checked"), std::string::npos) << one.err;
  }
}

TEST(CheckCiReport, WithoutDatabaseOnlyTheNamedFilesAreAnalysed) {
  Project p;
  ProcessResult r = check({"--format=json", p.other, "--", "-std=c++17",
                           "-I" FORKSAFE_RUNTIME_INCLUDE, "-I" + p.dir.path() + "/include"});
  ASSERT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(findingsOf(parse(r.out)).size(), 2u) << r.out;
  EXPECT_NE(r.err.find("1 file(s) checked"), std::string::npos) << r.err;
}

TEST(CheckCiReport, UnparsableOtherFileIsANoticeNotAFailure) {
  Project p;
  std::string broken = p.dir.file("broken.cpp", "int broken( { this is not C++\n");
  writeCompileCommands(p.dir, {p.app, p.store, p.other, broken});
  ProcessResult r = check({"-p", p.build(), "--format=json", p.other});
  EXPECT_EQ(r.status, 1) << r.err;  // other.cpp's findings; broken.cpp is not reported on
  llvm::json::Value doc = parse(r.out);
  EXPECT_EQ(doc.getAsObject()->getArray("errors")->size(), 0u);
  ASSERT_EQ(doc.getAsObject()->getArray("notices")->size(), 1u) << r.out;
  EXPECT_NE(r.err.find("warning: cannot parse '" + broken + "'"), std::string::npos) << r.err;
  // Named, it is an error.
  EXPECT_EQ(check({"-p", p.build(), broken}).status, 2);
}

// A baseline keeps old findings out of the report and the exit status, and still knows them
// after every line moved; a new finding is reported and fails the run.
TEST(CheckCiBaseline, OnlyNewFindingsAfterLinesMoved) {
  Project p;
  std::string baseline = p.dir.path() + "/forksafe-baseline.json";
  // Run from the project: its files are written relative to it (no git work tree here).
  ProcessResult write = check({"-p", p.build(), "--write-baseline=" + baseline}, p.dir.path());
  EXPECT_EQ(write.status, 0) << write.err;  // writing a baseline accepts what is there
  llvm::json::Value doc = parse(read_file(baseline));
  const llvm::json::Object* root = doc.getAsObject();
  ASSERT_TRUE(root);
  EXPECT_EQ(root->getInteger("version"), 1);
  ASSERT_EQ(findingsOf(doc).size(), 6u);
  std::set<std::string> prints;
  for (const llvm::json::Value& f : findingsOf(doc)) {
    for (const char* key : {"fingerprint", "rule", "symbol", "file", "message"})
      EXPECT_TRUE(f.getAsObject()->getString(key)) << key;
    prints.insert(f.getAsObject()->getString("fingerprint")->str());
    EXPECT_FALSE(llvm::sys::path::is_absolute(*f.getAsObject()->getString("file")));
  }
  EXPECT_EQ(prints.size(), 6u);

  ProcessResult clean = check({"-p", p.build(), "--baseline=" + baseline}, p.dir.path());
  EXPECT_EQ(clean.status, 0) << clean.out << clean.err;
  EXPECT_EQ(clean.out, "");
  EXPECT_NE(clean.err.find("6 in the baseline not shown"), std::string::npos) << clean.err;

  // Every line moves down, one is re-indented, and a handler writes a new global.
  p.dir.file("store.cpp", "// moved\n\n" + read_file(p.store));
  p.dir.file("other.cpp",
             "// moved\n#include \"forksafe/annotations.hpp\"\n"
             "    long    g_other = 0;\n"
             "int g_new = 0;\n"
             "FORKSAFE_HANDLER void ping() { ++g_other; ++g_new; }\n");
  ProcessResult moved =
      check({"-p", p.build(), "--baseline=" + baseline, "--format=json"}, p.dir.path());
  EXPECT_EQ(moved.status, 1) << moved.err;
  EXPECT_EQ(summary(findingsOf(parse(moved.out))),
            (std::vector<std::string>{"forksafe-per-worker-state g_new other.cpp:4",
                                      "forksafe-unsynchronized-state g_new other.cpp:4"}));

  for (const auto& [text, message] : std::vector<std::pair<std::string, std::string>>{
           {"{\"version\": 1}", "no \"findings\" array"},
           {"[1, 2]", "expected an object"},
           {"{\"version\": 7, \"findings\": []}", "version 7 is not supported"},
           {"{\"version\": 1, \"findings\": [{}]}", "findings[0] has no \"fingerprint\""},
           {"{\"version\": 1, ", "invalid baseline"}}) {
    std::string bad = p.dir.file("bad-baseline.json", text);
    ProcessResult r = check({"-p", p.build(), "--baseline=" + bad});
    EXPECT_EQ(r.status, 2) << text;
    EXPECT_NE(r.err.find(message), std::string::npos) << text << ": " << r.err;
  }
  ProcessResult missing = check({"-p", p.build(), "--baseline=" + p.dir.path() + "/none.json"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("cannot read baseline"), std::string::npos) << missing.err;
}

// Fingerprints are the same in SARIF partialFingerprints and in the baseline.
TEST(CheckCiBaseline, SarifCarriesTheBaselineFingerprints) {
  Project p;
  std::string baseline = p.dir.path() + "/b.json";
  ASSERT_EQ(check({"-p", p.build(), "--write-baseline=" + baseline}).status, 0);
  std::set<std::string> prints;
  llvm::json::Value written = parse(read_file(baseline));
  for (const llvm::json::Value& f : findingsOf(written))
    prints.insert(f.getAsObject()->getString("fingerprint")->str());
  ProcessResult sarif = check({"-p", p.build(), "--format=sarif"});
  llvm::json::Value doc = parse(sarif.out);
  const llvm::json::Object& run = *(*doc.getAsObject()->getArray("runs"))[0].getAsObject();
  std::set<std::string> fromSarif;
  for (const llvm::json::Value& r : *run.getArray("results"))
    fromSarif.insert(r.getAsObject()
                         ->getObject("partialFingerprints")
                         ->getString("forksafeFingerprint/v2")
                         ->str());
  EXPECT_EQ(prints, fromSarif);
}

std::string git(const std::string& dir, std::vector<std::string> args) {
  auto program = llvm::sys::findProgramByName("git");
  EXPECT_TRUE(static_cast<bool>(program)) << "git is not on PATH";
  std::vector<std::string> argv = {
      program ? *program : std::string("git"), "-C", dir, "-c", "user.name=forksafe test", "-c",
      "user.email=test@example.invalid"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = runProcess(argv, "", 60);
  EXPECT_EQ(r.status, 0) << r.err;
  return r.out;
}

// --diff=REF reports what a change touches: a new write, and a new call that puts an old write
// on a request path, which checking only the changed files' own findings would miss.
TEST(CheckCiDiff, ReportsFindingsOnChangedLines) {
  Project p;
  git(p.dir.path(), {"init", "-q"});
  git(p.dir.path(), {"add", "-A"});
  git(p.dir.path(), {"commit", "-q", "-m", "start"});
  ProcessResult none = check({"-p", p.build(), "--diff=HEAD", "--format=json"}, p.dir.path());
  EXPECT_EQ(none.status, 0) << none.err;
  EXPECT_EQ(findingsOf(parse(none.out)).size(), 0u) << none.out;

  // other.cpp gains a handler that calls touch_store(): g_store_hits (store.cpp) is now also
  // written from it; the old findings of other.cpp are on unchanged lines.
  p.dir.file("other.cpp",
             "#include \"forksafe/annotations.hpp\"\n"
             "long g_other = 0;\n"
             "FORKSAFE_HANDLER void ping() { ++g_other; }\n"
             "void touch_store();\n"
             "FORKSAFE_HANDLER void poke() { touch_store(); }\n");
  ProcessResult r = check({"-p", p.build(), "--diff=HEAD", "--format=json"}, p.dir.path());
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(summary(findingsOf(parse(r.out))),
            (std::vector<std::string>{"forksafe-per-worker-state g_store_hits store.cpp:7",
                                      "forksafe-unsynchronized-state g_store_hits store.cpp:7"}));
  // Run from a subdirectory, against a commit id: the same.
  std::string head = llvm::StringRef(git(p.dir.path(), {"rev-parse", "HEAD"})).trim().str();
  ProcessResult sub =
      check({"-p", p.build(), "--diff=" + head, "--format=json"}, p.dir.path() + "/include");
  EXPECT_EQ(summary(findingsOf(parse(sub.out))), summary(findingsOf(parse(r.out))));

  ProcessResult badRef = check({"-p", p.build(), "--diff=no-such-ref"}, p.dir.path());
  EXPECT_EQ(badRef.status, 2);
  EXPECT_NE(badRef.err.find("cannot run git diff no-such-ref"), std::string::npos) << badRef.err;
  ProcessResult option = check({"-p", p.build(), "--diff=--output=x"}, p.dir.path());
  EXPECT_EQ(option.status, 2);
  EXPECT_NE(option.err.find("expected a git revision"), std::string::npos) << option.err;
  TempDir notRepo;
  ProcessResult outside = check({"-p", p.build(), "--diff=HEAD"}, notRepo.path());
  EXPECT_EQ(outside.status, 2);
  EXPECT_NE(outside.err.find("cannot run git diff"), std::string::npos) << outside.err;
}

// The repository's pre-commit hook, run as pre-commit would (its entry, then its args) in a
// repository whose staged change adds a write: the commit is refused, and allowed once the
// write is gone.
TEST(CheckCiDiff, PreCommitHookAsWritten) {
  std::string root =
      llvm::sys::path::parent_path(llvm::sys::path::parent_path(FORKSAFE_RUNTIME_INCLUDE)).str();
  std::string hooks = read_file(root + "/.pre-commit-hooks.yaml");
  ASSERT_NE(hooks.find("id: forksafe-check"), std::string::npos) << root;
  auto field = [&](const std::string& key) {
    size_t at = hooks.find("\n  " + key + ": ");
    EXPECT_NE(at, std::string::npos) << key;
    at += key.size() + 5;
    return hooks.substr(at, hooks.find('\n', at) - at);
  };
  EXPECT_EQ(field("language"), "system");
  EXPECT_EQ(field("pass_filenames"), "false");
  std::vector<std::string> argv;
  llvm::SmallVector<llvm::StringRef, 8> words;
  std::string entry = field("entry"), args = field("args");
  llvm::StringRef(entry).split(words, ' ', -1, false);
  for (llvm::StringRef w : words) argv.push_back(w.str());
  ASSERT_EQ(argv.at(0), "forksafe-check");
  argv.erase(argv.begin());
  words.clear();
  llvm::StringRef(args).trim("[]").split(words, ',', -1, false);
  for (llvm::StringRef w : words) argv.push_back(w.trim().str());
  EXPECT_EQ(argv, (std::vector<std::string>{"--diff=HEAD", "--quiet", "-p", "build"}));

  Project p;
  git(p.dir.path(), {"init", "-q"});
  git(p.dir.path(), {"add", "-A"});
  git(p.dir.path(), {"commit", "-q", "-m", "start"});
  ProcessResult clean = check(argv, p.dir.path());
  EXPECT_EQ(clean.status, 0) << clean.out << clean.err;
  std::string before = read_file(p.other);
  p.dir.file("other.cpp", before + "int g_new = 0;\nFORKSAFE_HANDLER void more() { g_new = 1; }\n");
  git(p.dir.path(), {"add", "other.cpp"});
  ProcessResult refused = check(argv, p.dir.path());
  EXPECT_EQ(refused.status, 1) << refused.err;
  EXPECT_NE(refused.out.find("'g_new' is written on a request path"), std::string::npos)
      << refused.out;
  EXPECT_EQ(refused.out.find("g_other"), std::string::npos) << refused.out;
  EXPECT_EQ(refused.err, "");  // --quiet
}

TEST(CheckCiDiff, LineFilterInClangTidyFormat) {
  Project p;
  // app.cpp:6 is load()'s call of touch_store(): a call on the path of g_store_hits.
  ProcessResult r = check({"-p", p.build(), "--format=json",
                           "--line-filter=[{\"name\":\"app.cpp\",\"lines\":[[6,6]]}]"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(summary(findingsOf(parse(r.out))),
            (std::vector<std::string>{"forksafe-per-worker-state g_store_hits store.cpp:7",
                                      "forksafe-unsynchronized-state g_store_hits store.cpp:7"}));
  // A whole file (no "lines"), absolute name.
  ProcessResult whole =
      check({"-p", p.build(), "--format=json", "--line-filter=[{\"name\":\"" + p.other + "\"}]"});
  EXPECT_EQ(findingsOf(parse(whole.out)).size(), 2u) << whole.out;
  // Nothing on a line without a finding: exit 0.
  EXPECT_EQ(
      check({"-p", p.build(), "--line-filter=[{\"name\":\"app.cpp\",\"lines\":[[1,2]]}]"}).status,
      0);
  for (const auto& [filter, message] : std::vector<std::pair<std::string, std::string>>{
           {"{}", "expected an array"},
           {"[{\"lines\":[[1,2]]}]", "entry 0 has no \"name\""},
           {"[{\"name\":\"a.cpp\",\"lines\":[[3,1]]}]", "1 <= first <= last"},
           {"[", "invalid --line-filter"}}) {
    ProcessResult bad = check({"-p", p.build(), "--line-filter=" + filter});
    EXPECT_EQ(bad.status, 2) << filter;
    EXPECT_NE(bad.err.find(message), std::string::npos) << filter << ": " << bad.err;
  }
}

// Every artifactLocation's index names the artifact with its URI; rules link their page; the
// tool has a version; one invocation says whether the run succeeded.
TEST(CheckCiSarif, ArtifactsRulesVersionAndInvocation) {
  Project p;
  ProcessResult r = check({"-p", p.build(), "--format=sarif"}, p.dir.path());
  ASSERT_EQ(r.status, 1) << r.err;
  llvm::json::Value doc = parse(r.out);
  const llvm::json::Object& run = *(*doc.getAsObject()->getArray("runs"))[0].getAsObject();
  const llvm::json::Object& driver = *run.getObject("tool")->getObject("driver");
  EXPECT_TRUE(driver.getString("version"));
  EXPECT_FALSE(driver.getString("version")->empty());
  for (const llvm::json::Value& rule : *driver.getArray("rules")) {
    std::string id = rule.getAsObject()->getString("id")->str();
    std::optional<llvm::StringRef> help = rule.getAsObject()->getString("helpUri");
    ASSERT_TRUE(help) << id;
    EXPECT_TRUE(help->ends_with("docs/checks/" + id + ".md")) << help->str();
    EXPECT_TRUE(help->starts_with("https://")) << help->str();
  }
  const llvm::json::Array& invocations = *run.getArray("invocations");
  ASSERT_EQ(invocations.size(), 1u);
  EXPECT_EQ(invocations[0].getAsObject()->getBoolean("executionSuccessful"), true);

  std::vector<std::string> artifacts;
  for (const llvm::json::Value& a : *run.getArray("artifacts"))
    artifacts.push_back(a.getAsObject()->getObject("location")->getString("uri")->str());
  std::set<std::string> used;
  size_t checked = 0;
  // Every artifactLocation anywhere in the run.
  std::function<void(const llvm::json::Value&)> walk = [&](const llvm::json::Value& v) {
    if (const llvm::json::Object* o = v.getAsObject()) {
      if (const llvm::json::Object* a = o->getObject("artifactLocation")) {
        std::string uri = a->getString("uri")->str();
        std::optional<int64_t> index = a->getInteger("index");
        EXPECT_TRUE(index) << uri;
        if (index) {
          ASSERT_LT(static_cast<size_t>(*index), artifacts.size());
          EXPECT_EQ(artifacts[*index], uri);
        }
        used.insert(uri);
        ++checked;
      }
      for (const auto& kv : *o) walk(kv.second);
    } else if (const llvm::json::Array* arr = v.getAsArray()) {
      for (const llvm::json::Value& item : *arr) walk(item);
    }
  };
  walk(*run.get("results"));
  EXPECT_GT(checked, 6u);
  EXPECT_EQ(used, std::set<std::string>(artifacts.begin(), artifacts.end()));
  EXPECT_TRUE(used.count("store.cpp") && used.count("app.cpp") && used.count("other.cpp"));
}

// A file that cannot be parsed is a notification, and the run is not successful: with
// `|| true` in CI a broken file no longer looks clean.
TEST(CheckCiSarif, UnparsableFileIsANotification) {
  Project p;
  std::string broken = p.dir.file("broken.cpp", "int broken( { this is not C++\n");
  writeCompileCommands(p.dir, {p.app, p.store, p.other, broken});
  ProcessResult r = check({"-p", p.build(), "--format=sarif"}, p.dir.path());
  EXPECT_EQ(r.status, 2) << r.err;
  llvm::json::Value doc = parse(r.out);
  const llvm::json::Object& run = *(*doc.getAsObject()->getArray("runs"))[0].getAsObject();
  const llvm::json::Object& invocation = *(*run.getArray("invocations"))[0].getAsObject();
  EXPECT_EQ(invocation.getBoolean("executionSuccessful"), false);
  const llvm::json::Array* notes = invocation.getArray("toolExecutionNotifications");
  ASSERT_TRUE(notes);
  ASSERT_EQ(notes->size(), 1u);
  const llvm::json::Object& n = *(*notes)[0].getAsObject();
  EXPECT_EQ(n.getString("level"), "error");
  EXPECT_NE(n.getObject("message")->getString("text")->find("cannot parse"), llvm::StringRef::npos);
  const llvm::json::Object& where = *(*n.getArray("locations"))[0]
                                         .getAsObject()
                                         ->getObject("physicalLocation")
                                         ->getObject("artifactLocation");
  EXPECT_EQ(where.getString("uri"), "broken.cpp");
  EXPECT_EQ(run.getArray("results")->size(), 6u);  // the other files are still reported
}

size_t countLines(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Two rules on one variable with the same write sites: the notes come once.
TEST(CheckCiText, NotesOfTheSameSitesArePrintedOnce) {
  Project p;
  ProcessResult r = check({"-p", p.build(), p.other});
  ASSERT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(countLines(r.out, ": error: "), 1u) << r.out;
  EXPECT_EQ(countLines(r.out, ": warning: "), 1u) << r.out;
  EXPECT_EQ(countLines(r.out, "note: 'g_other' is incremented here"), 1u) << r.out;
  EXPECT_EQ(
      countLines(r.out, "note: written at the same site(s) as [forksafe-per-worker-state] above"),
      1u)
      << r.out;
  // error + snippet (3), its note + snippet (3), warning + snippet (3), the one-line note.
  EXPECT_EQ(countLines(r.out, "\n"), 10u) << r.out;
}

TEST(CheckCiChecks, GlobsThatMatchNoRuleAreErrors) {
  Project p;
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{"--checks=-*,forksafe-per-worker-sate"},
            "--checks: 'forksafe-per-worker-sate' matches no rule; did you mean "
            "'forksafe-per-worker-state'?"},
           {{"--checks=-forksafe-prefrok-*"},
            "--checks: '-forksafe-prefrok-*' matches no rule; did you mean '-forksafe-prefork-*'?"},
           {{"--checks=-*"}, "no checks enabled"},
           {{"--checks=-*,-forksafe-*"}, "no checks enabled"},
           {{"--warnings-as-errors=forksafe-unsynchronised-state"},
            "--warnings-as-errors: 'forksafe-unsynchronised-state' matches no rule; did you mean "
            "'forksafe-unsynchronized-state'?"},
           {{"--checks=bugprone-*"}, "--checks: 'bugprone-*' matches no rule"},
       }) {
    std::vector<std::string> args = c.args;
    args.insert(args.end(), {"-p", p.build(), p.other});
    ProcessResult r = check(args);
    EXPECT_EQ(r.status, 2) << c.args[0] << r.out;
    EXPECT_NE(r.err.find("forksafe-check: error: " + c.message), std::string::npos)
        << c.args[0] << ": " << r.err;
    EXPECT_EQ(r.out, "") << c.args[0];
  }
  ProcessResult list = check({"--checks=-*", "--list-checks"});
  EXPECT_EQ(list.status, 2);
  EXPECT_NE(list.err.find("no checks enabled"), std::string::npos) << list.err;
}

TEST(CheckCiConfig, ErrorsSayFileLineAndColumn) {
  TempDir dir;
  struct Case {
    std::string yaml;
    std::string where;  // after the file name
  };
  for (const Case& c : std::vector<Case>{
           {"Checks: 'forksafe-*\nWarningsAsErrors: ''\nHandlerPatterns: []\n",
            ":1:9: this quoted string is never closed"},
           {"# comment\nWarningsAsErrors: \"forksafe-*\nChecks: x\n",
            ":2:19: this quoted string is never closed"},
           {"Checks: '-*,forksafe-per-worker-sate'\n",
            ":1:9: Checks: 'forksafe-per-worker-sate' matches no rule; did you mean "
            "'forksafe-per-worker-state'?"},
           {"\nChecks: '-*'\n", ":2:9: no checks enabled"},
           {"Deployment: forked\n", ":1:13: Deployment must be auto, prefork or replicas"},
           {"Checks: 'forksafe-*'\n  Deployment: auto\n", ":2:"},
       }) {
    std::string yaml = dir.file("proj/.forksafe.yaml", c.yaml);
    std::string src = dir.file("proj/app.cpp", "int x;\n");
    ProcessResult r = check({src, "--"});
    EXPECT_EQ(r.status, 2) << c.yaml;
    EXPECT_NE(r.err.find("invalid configuration " + yaml + c.where), std::string::npos)
        << c.yaml << "\n"
        << r.err;
  }
}

}  // namespace
