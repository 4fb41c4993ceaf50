// Emitters: the JSON schema (version 1) and SARIF's required fields, on a hand-made report.
#include "report/Emitters.h"

#include <gtest/gtest.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/JSON.h>

#include <fstream>

namespace {

forksafe::Report sampleReport(const std::string& file) {
  forksafe::Finding f;
  f.rule = "forksafe-per-worker-state";
  f.severity = forksafe::Severity::Error;
  f.loc = {file, 2, 5};
  f.symbol = "ns::g_count";
  f.mangled = "_ZN2ns7g_countE";
  f.message = "'ns::g_count' is written on a request path";
  f.notes.push_back({{file, 4, 3}, "'ns::g_count' is incremented here"});
  f.fingerprint = "0123456789abcdef";
  forksafe::Report report;
  report.findings.push_back(f);
  report.errors.push_back({"/x/broken.cpp", "cannot parse '/x/broken.cpp': boom"});
  return report;
}

std::string tempSource(const std::string& dir) {
  std::string file = dir + "/src/app.cpp";
  llvm::sys::fs::create_directories(dir + "/src");
  std::ofstream(file) << "namespace ns {\nint g_count;\n}\nvoid f() { ns::g_count++; }\n";
  return file;
}

TEST(JsonEmitter, SchemaVersionOne) {
  std::string out;
  llvm::raw_string_ostream os(out);
  forksafe::emitJson(sampleReport("/abs/app.cpp"), os);
  auto doc = llvm::json::parse(out);
  ASSERT_TRUE(static_cast<bool>(doc)) << out;
  const llvm::json::Object& root = *doc->getAsObject();
  EXPECT_EQ(*root.getInteger("version"), 1);
  const llvm::json::Object& f = *(*root.getArray("findings"))[0].getAsObject();
  for (const char* key : {"rule", "severity", "file", "symbol", "mangled", "message"})
    EXPECT_TRUE(f.getString(key)) << key;
  EXPECT_EQ(*f.getInteger("line"), 2);
  EXPECT_EQ(*f.getInteger("column"), 5);
  EXPECT_EQ(*f.getString("mangled"), "_ZN2ns7g_countE");
  const llvm::json::Object& note = *(*f.getArray("notes"))[0].getAsObject();
  EXPECT_EQ(*note.getInteger("line"), 4);
  EXPECT_TRUE(note.getString("message"));
  const llvm::json::Object& error = *(*root.getArray("errors"))[0].getAsObject();
  EXPECT_EQ(*error.getString("file"), "/x/broken.cpp");
}

TEST(SarifEmitter, RequiredFieldsAndRelativeUris) {
  llvm::SmallString<128> dir;
  llvm::sys::fs::createUniqueDirectory("forksafe-sarif", dir);
  std::string file = tempSource(std::string(dir));
  std::vector<forksafe::RuleInfo> rules = {
      {"forksafe-per-worker-state", forksafe::Severity::Error, "summary", "help text"}};
  std::string out;
  llvm::raw_string_ostream os(out);
  forksafe::emitSarif(sampleReport(file), rules, std::string(dir), "1.2.3", os);
  auto doc = llvm::json::parse(out);
  ASSERT_TRUE(static_cast<bool>(doc)) << out;
  const llvm::json::Object& root = *doc->getAsObject();
  EXPECT_EQ(*root.getString("version"), "2.1.0");
  EXPECT_TRUE(root.getString("$schema"));
  const llvm::json::Object& run = *(*root.getArray("runs"))[0].getAsObject();
  const llvm::json::Object& driver = *run.getObject("tool")->getObject("driver");
  EXPECT_EQ(*driver.getString("name"), "forksafe-check");
  const llvm::json::Object& rule = *(*driver.getArray("rules"))[0].getAsObject();
  EXPECT_EQ(*rule.getString("id"), "forksafe-per-worker-state");
  EXPECT_EQ(*rule.getObject("help")->getString("text"), "help text");
  const llvm::json::Object& result = *(*run.getArray("results"))[0].getAsObject();
  EXPECT_EQ(*result.getString("ruleId"), "forksafe-per-worker-state");
  EXPECT_EQ(*result.getString("level"), "error");
  EXPECT_EQ(*result.getObject("message")->getString("text"),
            "'ns::g_count' is written on a request path");
  EXPECT_TRUE(result.getObject("partialFingerprints"));
  const llvm::json::Object& physical =
      *(*result.getArray("locations"))[0].getAsObject()->getObject("physicalLocation");
  EXPECT_EQ(*physical.getObject("artifactLocation")->getString("uri"), "src/app.cpp");
  EXPECT_EQ(*physical.getObject("region")->getInteger("startLine"), 2);
  EXPECT_TRUE(run.getObject("originalUriBaseIds")->getObject("%SRCROOT%"));
  EXPECT_TRUE(result.getArray("codeFlows"));
  llvm::sys::fs::remove_directories(dir);
}

TEST(TextEmitter, ClangStyleWithSnippet) {
  llvm::SmallString<128> dir;
  llvm::sys::fs::createUniqueDirectory("forksafe-text", dir);
  std::string file = tempSource(std::string(dir));
  std::string out;
  llvm::raw_string_ostream os(out);
  forksafe::emitText(sampleReport(file), os, /*color=*/false);
  EXPECT_EQ(out.rfind(file + ":2:5: error: 'ns::g_count' is written on a request path "
                             "[forksafe-per-worker-state]\n    2 | int g_count;\n      |     ^\n",
                      0),
            0u)
      << out;
  EXPECT_NE(out.find(file + ":4:3: note: 'ns::g_count' is incremented here\n"), std::string::npos);
  llvm::sys::fs::remove_directories(dir);
}

}  // namespace
