// Accuracy on the labeled corpus under tests/eval/: realistic handler apps written and labeled
// independently of the checker. Scores findings by (file, line, rule family) and requires
// precision and recall of at least 0.9 for each family, printing the table either way.
//
// Labels marked "deployment": "prefork" hold for a program deployed pre-fork although the app does
// not fork itself (a cpp-httplib or Crow server run as one process is deployed as replicas by
// default, where those rules stay silent): they are expected absent in the default run and are
// scored again, with the prefork family, in a second run of those apps with --deployment=prefork.
#include <gtest/gtest.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "CheckTool.h"

namespace {

using Key = std::tuple<std::string, unsigned, std::string>;  // file, line, family

std::string familyOf(llvm::StringRef rule) {
  if (rule.starts_with("forksafe-prefork-")) return "prefork";
  return rule.drop_front(std::string("forksafe-").size()).str();
}

std::string corpus(const std::string& rel) { return std::string(FORKSAFE_EVAL_DIR) + "/" + rel; }

struct Score {
  std::set<Key> expected, reported;
};

// Prints the table for `families` and requires precision and recall >= 0.9 in each.
void scoreFamilies(const std::string& title, const Score& score,
                   const std::vector<std::string>& families) {
  std::printf("%s\n%-22s %6s %6s %6s %9s %7s\n", title.c_str(), "family", "tp", "fp", "fn",
              "precision", "recall");
  for (const std::string& family : families) {
    size_t tp = 0, fp = 0, fn = 0;
    for (const Key& k : score.reported)
      if (std::get<2>(k) == family) (score.expected.count(k) ? tp : fp)++;
    for (const Key& k : score.expected)
      if (std::get<2>(k) == family && !score.reported.count(k)) {
        ++fn;
        std::printf("  missed %s:%u %s\n", std::get<0>(k).c_str(), std::get<1>(k), family.c_str());
      }
    for (const Key& k : score.reported)
      if (std::get<2>(k) == family && !score.expected.count(k))
        std::printf("  spurious %s:%u %s\n", std::get<0>(k).c_str(), std::get<1>(k),
                    family.c_str());
    double precision = tp + fp ? double(tp) / double(tp + fp) : 1.0;
    double recall = tp + fn ? double(tp) / double(tp + fn) : 1.0;
    std::printf("%-22s %6zu %6zu %6zu %9.3f %7.3f\n", family.c_str(), tp, fp, fn, precision,
                recall);
    EXPECT_GE(precision, 0.9) << title << " " << family;
    EXPECT_GE(recall, 0.9) << title << " " << family;
  }
}

TEST(Eval, PrecisionAndRecallPerFamily) {
  auto labels = llvm::MemoryBuffer::getFile(corpus("labels.json"));
  ASSERT_TRUE(static_cast<bool>(labels));
  auto doc = llvm::json::parse((*labels)->getBuffer());
  ASSERT_TRUE(static_cast<bool>(doc)) << llvm::toString(doc.takeError());
  // The second run reads the facts the first one cached: the deployment does not change them.
  llvm::SmallString<128> cacheDir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("forksafe-eval-cache", cacheDir));
  Score byDefault, asPrefork;
  std::set<Key> debatable;
  std::map<Key, Key> alternatives;
  auto run = [&](const std::string& file, std::vector<std::string> extra, std::set<Key>& into) {
    std::vector<std::string> args = {"forksafe-check", file, "--format=json", "--quiet",
                                     "--cache-dir=" + std::string(cacheDir)};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(),
                {"--", "-std=c++17", "-I" + corpus("include"), "-I" FORKSAFE_RUNTIME_INCLUDE});
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    std::string out, err;
    llvm::raw_string_ostream os(out), es(err);
    int status = forksafe::runCheckTool(static_cast<int>(argv.size()), argv.data(), os, es);
    os.flush();
    es.flush();
    ASSERT_NE(status, 2) << file << ": " << err;
    auto result = llvm::json::parse(out);
    ASSERT_TRUE(static_cast<bool>(result));
    for (const llvm::json::Value& f : *result->getAsObject()->getArray("findings")) {
      const llvm::json::Object& o = *f.getAsObject();
      Key key{o.getString("file")->str(), static_cast<unsigned>(*o.getInteger("line")),
              familyOf(*o.getString("rule"))};
      if (auto alt = alternatives.find(key); alt != alternatives.end()) key = alt->second;
      if (!debatable.count(key)) into.insert(key);
    }
  };
  for (const llvm::json::Value& appValue : *doc->getAsObject()->getArray("apps")) {
    const llvm::json::Object& app = *appValue.getAsObject();
    std::string file = corpus(app.getString("file")->str());
    bool preforkOnly = false;
    for (const llvm::json::Value& e : *app.getArray("expected")) {
      const llvm::json::Object& o = *e.getAsObject();
      std::string family = o.getString("family")->str();
      Key key{file, static_cast<unsigned>(*o.getInteger("line")), family};
      bool prefork = o.getString("deployment").value_or("") == "prefork";
      preforkOnly |= prefork;
      if (!prefork) byDefault.expected.insert(key);
      asPrefork.expected.insert(key);
      // A static data member may be reported at its in-class declaration instead.
      if (const llvm::json::Array* alt = o.getArray("alt_lines"))
        for (const llvm::json::Value& line : *alt)
          alternatives[{file, static_cast<unsigned>(*line.getAsInteger()), family}] = key;
    }
    if (const llvm::json::Array* maybe = app.getArray("debatable"))
      for (const llvm::json::Value& d : *maybe) {
        const llvm::json::Object& o = *d.getAsObject();
        debatable.insert(
            {file, static_cast<unsigned>(*o.getInteger("line")), familyOf(*o.getString("rule"))});
      }
    std::vector<std::string> extra;
    if (const llvm::json::Array* more = app.getArray("args"))
      for (const llvm::json::Value& a : *more) extra.push_back(a.getAsString()->str());
    run(file, extra, byDefault.reported);
    if (!preforkOnly) {
      // Scored in both tables: the app's own deployment is what --deployment=prefork would say.
      for (const Key& k : byDefault.reported)
        if (std::get<0>(k) == file) asPrefork.reported.insert(k);
      continue;
    }
    extra.push_back("--deployment=prefork");
    run(file, extra, asPrefork.reported);
  }
  llvm::sys::fs::remove_directories(cacheDir);
  scoreFamilies("default deployment (auto)", byDefault,
                {"per-worker-state", "unsynchronized-state", "prefork"});
  scoreFamilies("--deployment=prefork for the apps labelled for it", asPrefork, {"prefork"});
}

}  // namespace
