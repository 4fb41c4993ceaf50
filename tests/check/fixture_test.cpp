// Runs every fixture under tests/check/fixtures/ through forksafe-check and compares its findings
// with the expectations written inline in the fixture:
//   `// expect: <rule> ["<text>"] [<rule> ["<text>"]...]`
//                                    a finding of each rule is reported at this line, and its
//                                    message contains <text> when one is given (no `"` or `//`
//                                    inside; the marker may follow a NOLINT comment on the line)
//   `// expect-note: <rule>`          a finding of that rule has a note at this line
//   `// RUN-ARGS: <args>`             extra forksafe-check arguments (before `--`); %S is the
//                                    fixture's directory
//   `// expect-message: <text>`       a finding at this line has <text> in its message
// An unannotated line is a negative case: any finding there fails the test. A fixture named after
// a rule (fixtures/<rule>.cpp) must report that rule at the rule's default severity.
//
// CheckRules ties each rule of the registry to its doc page docs/checks/<rule>.md (title, the
// "**Default severity:** <severity>" line, the functions its "What it flags" section names) and to
// its fixture.
#include <gtest/gtest.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "CheckRegistry.h"
#include "CheckTool.h"
#include "temp_dir.hpp"  // tests/common
#include "test_util.h"

namespace {

struct Expectation {
  std::set<std::pair<unsigned, std::string>> findings;     // (line, rule)
  std::set<std::pair<unsigned, std::string>> notes;        // (line, rule of the finding)
  std::vector<std::pair<unsigned, std::string>> messages;  // (line, text in a message)
  struct Pin {
    unsigned line;
    std::string rule, text;
  };
  std::vector<Pin> pins;  // `expect: <rule> "<text>"`
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

// The rules of an `expect: ` marker, each with the "text" that follows it (empty when none).
std::vector<std::pair<std::string, std::string>> expectedRules(const std::string& line) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t at = line.find("expect: ");
  if (at == std::string::npos) return out;
  std::string rest = line.substr(at + 8);
  rest = rest.substr(0, rest.find("//"));  // another marker may follow
  size_t i = 0;
  while (i < rest.size()) {
    char c = rest[i];
    if (c == ' ' || c == ',' || c == '\t') {
      ++i;
    } else if (c == '"') {
      size_t close = rest.find('"', i + 1);
      std::string text = rest.substr(i + 1, close == std::string::npos ? close : close - i - 1);
      if (!out.empty()) out.back().second = text;
      i = close == std::string::npos ? rest.size() : close + 1;
    } else {
      size_t end = rest.find_first_of(" ,\t\"", i);
      out.push_back({rest.substr(i, end == std::string::npos ? end : end - i), ""});
      i = end == std::string::npos ? rest.size() : end;
    }
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
    for (const auto& [rule, text] : expectedRules(line)) {
      e.findings.insert({n, rule});
      if (!text.empty()) e.pins.push_back({n, rule, text});
    }
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
  std::vector<Expectation::Pin> reported;  // every finding: line, rule, message
  // A fixture named after a rule reports it at the rule's default severity.
  std::string ownRule = llvm::sys::path::stem(path).str(), ownSeverity;
  for (const auto& check : forksafe::allChecks())
    if (check->id() == ownRule) ownSeverity = forksafe::severityName(check->defaultSeverity());
  std::string details;
  for (const llvm::json::Value& v : *parsed->getAsObject()->getArray("findings")) {
    const llvm::json::Object& f = *v.getAsObject();
    std::string rule = f.getString("rule")->str();
    if (*f.getString("file") != path) continue;
    unsigned line = static_cast<unsigned>(*f.getInteger("line"));
    findings.insert({line, rule});
    messages.push_back({line, f.getString("message")->str()});
    reported.push_back({line, rule, f.getString("message")->str()});
    if (rule == ownRule && !ownSeverity.empty()) {
      EXPECT_EQ(f.getString("severity").value_or("").str(), ownSeverity)
          << rule << " at line " << line << " is not reported at the rule's default severity";
    }
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
  for (const Expectation::Pin& pin : expected.pins) {
    bool found = false;
    for (const Expectation::Pin& r : reported)
      found |=
          r.line == pin.line && r.rule == pin.rule && r.text.find(pin.text) != std::string::npos;
    EXPECT_TRUE(found) << "no " << pin.rule << " finding at line " << pin.line << " has \""
                       << pin.text << "\" in its message";
  }
  if (HasFailure()) ADD_FAILURE() << "findings reported:\n" << details;
}

INSTANTIATE_TEST_SUITE_P(Checks, Fixture, ::testing::ValuesIn(forksafe::test::fixtures()),
                         forksafe::test::fixtureTestName);

TEST(CheckFixtureMarkers, ExpectTakesRulesAndQuotedMessageText) {
  using Rules = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(expectedRules("int g;  // expect: a-rule"), (Rules{{"a-rule", ""}}));
  EXPECT_EQ(expectedRules("int g;  // expect: a, b \"says this, too\" c // expect-note: d"),
            (Rules{{"a", ""}, {"b", "says this, too"}, {"c", ""}}));
  EXPECT_EQ(expectedRules("int g;  // NOLINT // expect: a \"x\""), (Rules{{"a", "x"}}));
  EXPECT_TRUE(expectedRules("int g;  // expect-note: a").empty());
}

// The section `## <title>` of a doc page, up to the next heading of any level.
std::string docSection(const std::string& page, const std::string& title) {
  size_t at = page.find("\n## " + title + "\n");
  if (at == std::string::npos) return "";
  size_t start = page.find('\n', at + 1) + 1;
  size_t end = page.find("\n#", start);
  return page.substr(start, end == std::string::npos ? end : end - start);
}

// Every rule in the registry has a doc page that states its id and default severity, and a
// fixture with at least one expectation of it (the Fixture test then checks the severity).
TEST(CheckRules, EachHasItsDocPageAndFixture) {
  auto checks = forksafe::allChecks();
  ASSERT_FALSE(checks.empty());
  for (const auto& check : checks) {
    std::string id = check->id().str();
    std::string page = fstest::read_file(FORKSAFE_DOCS_DIR "/checks/" + id + ".md");
    ASSERT_FALSE(page.empty()) << "no doc page docs/checks/" << id << ".md";
    EXPECT_EQ(page.rfind("# " + id + "\n", 0), 0u)
        << "docs/checks/" << id << ".md does not start with '# " << id << "'";
    std::string severity = forksafe::severityName(check->defaultSeverity());
    EXPECT_NE(page.find("\n**Default severity:** " + severity + " "), std::string::npos)
        << "docs/checks/" << id << ".md does not say '**Default severity:** " << severity << "'";
    std::string fixture = fstest::read_file(std::string(FORKSAFE_FIXTURE_DIR) + "/" + id + ".cpp");
    ASSERT_FALSE(fixture.empty()) << "no fixture tests/check/fixtures/" << id << ".cpp";
    bool expects = false;
    std::istringstream lines(fixture);
    for (std::string line; std::getline(lines, line);)
      for (const auto& expected : expectedRules(line)) expects |= expected.first == id;
    EXPECT_TRUE(expects) << "tests/check/fixtures/" << id << ".cpp expects no " << id << " finding";
  }
}

// What --list-checks and SARIF show (summary and help) names every function the doc page's "What
// it flags" section names as a call: `name()` in backticks, not a member call like `m.lock()`.
TEST(CheckRules, TextNamesTheFunctionsTheDocPageFlags) {
  for (const auto& check : forksafe::allChecks()) {
    std::string id = check->id().str();
    std::string flags =
        docSection(fstest::read_file(FORKSAFE_DOCS_DIR "/checks/" + id + ".md"), "What it flags");
    EXPECT_FALSE(flags.empty()) << "docs/checks/" << id << ".md has no '## What it flags'";
    std::string text = check->summary().str() + " " + check->help().str();
    for (size_t at = flags.find('`'); at != std::string::npos; at = flags.find('`', at + 1)) {
      size_t close = flags.find('`', at + 1);
      if (close == std::string::npos) break;
      std::string token = flags.substr(at + 1, close - at - 1);
      at = close;
      if (token.size() < 3 || token.compare(token.size() - 2, 2, "()") != 0) continue;
      std::string name = token.substr(0, token.size() - 2);
      if (name.find_first_not_of(
              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
          std::string::npos)
        continue;
      EXPECT_NE(text.find(name + "("), std::string::npos)
          << id << ": the doc page flags " << token
          << " but the rule's summary and help never name it";
    }
  }
}

}  // namespace
