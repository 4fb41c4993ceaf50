// Runs every fixture under tests/check/fixtures/ through forksafe-check and compares its findings
// with the expectations written inline in the fixture:
//   `// expect: <rule> [<rule>...]`   a finding of each rule is reported at this line (the
//                                    marker may follow a NOLINT comment on the same line)
//   `// expect-note: <rule>`          a finding of that rule has a note at this line
//   `// RUN-ARGS: <args>`             extra forksafe-check arguments (before `--`); %S is the
//                                    fixture's directory
//   `// expect-message: <text>`       a finding at this line has <text> in its message
// An unannotated line is a negative case: any finding there fails the test.
#include <gtest/gtest.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "CheckTool.h"

namespace {

struct Expectation {
  std::set<std::pair<unsigned, std::string>> findings;     // (line, rule)
  std::set<std::pair<unsigned, std::string>> notes;        // (line, rule of the finding)
  std::vector<std::pair<unsigned, std::string>> messages;  // (line, text in a message)
  std::vector<std::string> args;
};

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) {
    while (!w.empty() && w.back() == ',') w.pop_back();
    if (!w.empty()) out.push_back(w);
  }
  return out;
}

Expectation readExpectations(const std::string& path) {
  Expectation e;
  std::ifstream in(path);
  std::string line;
  for (unsigned n = 1; std::getline(in, line); ++n) {
    auto take = [&](const std::string& marker) -> std::vector<std::string> {
      size_t at = line.find(marker);
      if (at == std::string::npos) return {};
      std::string rest = line.substr(at + marker.size());
      return words(rest.substr(0, rest.find("//")));  // another marker may follow
    };
    for (const std::string& rule : take("expect: ")) e.findings.insert({n, rule});
    for (const std::string& rule : take("expect-note: ")) e.notes.insert({n, rule});
    for (std::string arg : take("// RUN-ARGS: ")) {
      if (size_t at = arg.find("%S"); at != std::string::npos)
        arg.replace(at, 2, llvm::sys::path::parent_path(path).str());
      e.args.push_back(arg);
    }
    if (size_t at = line.find("expect-message: "); at != std::string::npos)
      e.messages.push_back({n, line.substr(at + 16)});
  }
  return e;
}

std::string fixturePath(const std::string& name) {
  return std::string(FORKSAFE_FIXTURE_DIR) + "/" + name;
}

class Fixture : public ::testing::TestWithParam<std::string> {};

TEST_P(Fixture, FindingsMatchInlineExpectations) {
  std::string path = fixturePath(GetParam());
  Expectation expected = readExpectations(path);
  std::vector<std::string> args = {"forksafe-check", path, "--format=json", "--quiet",
                                   "--no-cache"};
  args.insert(args.end(), expected.args.begin(), expected.args.end());
  args.insert(args.end(), {"--", "-std=c++20", "-I" FORKSAFE_RUNTIME_INCLUDE});
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::string out, err;
  llvm::raw_string_ostream outStream(out), errStream(err);
  int status =
      forksafe::runCheckTool(static_cast<int>(argv.size()), argv.data(), outStream, errStream);
  outStream.flush();
  errStream.flush();
  ASSERT_NE(status, 2) << "the fixture could not be checked: " << err;

  auto parsed = llvm::json::parse(out);
  ASSERT_TRUE(static_cast<bool>(parsed)) << llvm::toString(parsed.takeError()) << "\n" << out;
  std::set<std::pair<unsigned, std::string>> findings, notes;
  std::vector<std::pair<unsigned, std::string>> messages;
  std::string details;
  for (const llvm::json::Value& v : *parsed->getAsObject()->getArray("findings")) {
    const llvm::json::Object& f = *v.getAsObject();
    std::string rule = f.getString("rule")->str();
    if (*f.getString("file") != path) continue;
    unsigned line = static_cast<unsigned>(*f.getInteger("line"));
    findings.insert({line, rule});
    messages.push_back({line, f.getString("message")->str()});
    details +=
        "  " + std::to_string(line) + ": [" + rule + "] " + f.getString("message")->str() + "\n";
    for (const llvm::json::Value& n : *f.getArray("notes")) {
      const llvm::json::Object& note = *n.getAsObject();
      if (*note.getString("file") == path)
        notes.insert({static_cast<unsigned>(*note.getInteger("line")), rule});
    }
  }
  for (const auto& [line, rule] : expected.findings)
    EXPECT_TRUE(findings.count({line, rule})) << "missing " << rule << " at line " << line;
  for (const auto& [line, rule] : findings)
    EXPECT_TRUE(expected.findings.count({line, rule}))
        << "unexpected " << rule << " at line " << line;
  for (const auto& [line, rule] : expected.notes)
    EXPECT_TRUE(notes.count({line, rule})) << "missing note of " << rule << " at line " << line;
  for (const auto& [line, text] : expected.messages) {
    bool found = false;
    for (const auto& [at, message] : messages)
      found |= at == line && message.find(text) != std::string::npos;
    EXPECT_TRUE(found) << "no finding at line " << line << " says: " << text;
  }
  if (HasFailure()) ADD_FAILURE() << "findings reported:\n" << details;
}

std::vector<std::string> fixtures() {
  std::vector<std::string> out;
  std::istringstream list(FORKSAFE_FIXTURES);
  for (std::string name; std::getline(list, name, ',');)
    if (!name.empty()) out.push_back(name);
  return out;
}

std::string testName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = llvm::sys::path::stem(info.param).str();
  for (char& c : name)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Checks, Fixture, ::testing::ValuesIn(fixtures()), testName);

}  // namespace
