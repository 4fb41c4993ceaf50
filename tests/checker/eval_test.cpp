// Accuracy on the labeled corpus under tests/eval/: realistic handler apps written and labeled
// independently of the checker. Scores findings by (file, line, rule family) and requires
// precision and recall of at least 0.9 for each family, printing the table either way.
#include "Driver.h"

#include <gtest/gtest.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace {

using Key = std::tuple<std::string, unsigned, std::string>;  // file, line, family

std::string familyOf(llvm::StringRef rule) {
  if (rule.starts_with("forksafe-prefork-")) return "prefork";
  return rule.drop_front(std::string("forksafe-").size()).str();
}

std::string corpus(const std::string& rel) { return std::string(FORKSAFE_EVAL_DIR) + "/" + rel; }

TEST(Eval, PrecisionAndRecallPerFamily) {
  auto labels = llvm::MemoryBuffer::getFile(corpus("labels.json"));
  ASSERT_TRUE(static_cast<bool>(labels));
  auto doc = llvm::json::parse((*labels)->getBuffer());
  ASSERT_TRUE(static_cast<bool>(doc)) << llvm::toString(doc.takeError());
  std::set<Key> expected, reported, debatable;
  std::map<Key, Key> alternatives;
  for (const llvm::json::Value& appValue : *doc->getAsObject()->getArray("apps")) {
    const llvm::json::Object& app = *appValue.getAsObject();
    std::string file = corpus(app.getString("file")->str());
    for (const llvm::json::Value& e : *app.getArray("expected")) {
      const llvm::json::Object& o = *e.getAsObject();
      std::string family = o.getString("family")->str();
      expected.insert({file, static_cast<unsigned>(*o.getInteger("line")), family});
      // A static data member may be reported at its in-class declaration instead.
      if (const llvm::json::Array* alt = o.getArray("alt_lines"))
        for (const llvm::json::Value& line : *alt)
          alternatives[{file, static_cast<unsigned>(*line.getAsInteger()), family}] =
              {file, static_cast<unsigned>(*o.getInteger("line")), family};
    }
    if (const llvm::json::Array* maybe = app.getArray("debatable"))
      for (const llvm::json::Value& d : *maybe) {
        const llvm::json::Object& o = *d.getAsObject();
        debatable.insert({file, static_cast<unsigned>(*o.getInteger("line")),
                          familyOf(*o.getString("rule"))});
      }
    std::vector<std::string> args = {"forksafe-check", file, "--format=json", "--quiet", "--no-cache"};
    if (const llvm::json::Array* extra = app.getArray("args"))
      for (const llvm::json::Value& a : *extra) args.push_back(a.getAsString()->str());
    args.insert(args.end(), {"--", "-std=c++17", "-I" + corpus("include"),
                             "-I" FORKSAFE_RUNTIME_INCLUDE});
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
      if (!debatable.count(key)) reported.insert(key);
    }
  }
  std::printf("%-22s %6s %6s %6s %9s %7s\n", "family", "tp", "fp", "fn", "precision", "recall");
  for (const std::string family : {"per-worker-state", "unsynchronized-state", "prefork"}) {
    size_t tp = 0, fp = 0, fn = 0;
    for (const Key& k : reported)
      if (std::get<2>(k) == family) (expected.count(k) ? tp : fp)++;
    for (const Key& k : expected)
      if (std::get<2>(k) == family && !reported.count(k)) {
        ++fn;
        std::printf("  missed %s:%u %s\n", std::get<0>(k).c_str(), std::get<1>(k), family.c_str());
      }
    for (const Key& k : reported)
      if (std::get<2>(k) == family && !expected.count(k))
        std::printf("  spurious %s:%u %s\n", std::get<0>(k).c_str(), std::get<1>(k), family.c_str());
    double precision = tp + fp ? double(tp) / double(tp + fp) : 1.0;
    double recall = tp + fn ? double(tp) / double(tp + fn) : 1.0;
    std::printf("%-22s %6zu %6zu %6zu %9.3f %7.3f\n", family.c_str(), tp, fp, fn, precision, recall);
    EXPECT_GE(precision, 0.9) << family;
    EXPECT_GE(recall, 0.9) << family;
  }
}

}  // namespace
