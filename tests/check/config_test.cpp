// Config: .forksafe.yaml parsing and the upward search from a source file.
#include "config/Config.h"

#include <gtest/gtest.h>
#include <llvm/Support/FileSystem.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace {

TEST(CheckConfig, ParsesAllKeys) {
  auto config = forksafe::parseConfig(
      "Checks: '-*,forksafe-per-worker-state'\n"
      "WarningsAsErrors: forksafe-*\n"
      "HandlerPatterns:\n  - '^api::'\n  - 'handle_.*'\n",
      "x.yaml");
  ASSERT_TRUE(static_cast<bool>(config)) << llvm::toString(config.takeError());
  EXPECT_EQ(*config->checks, "-*,forksafe-per-worker-state");
  EXPECT_EQ(*config->warningsAsErrors, "forksafe-*");
  ASSERT_EQ(config->handlerPatterns.size(), 2u);
  EXPECT_EQ(config->handlerPatterns[1], "handle_.*");
}

TEST(CheckConfig, ThirdPartyAndDeploymentKeys) {
  auto config = forksafe::parseConfig(
      "HeaderFilterRegex: '.*'\nExcludeHeaderFilterRegex: ''\nSystemHeaders: true\n"
      "Deployment: replicas\n",
      "x.yaml");
  ASSERT_TRUE(static_cast<bool>(config)) << llvm::toString(config.takeError());
  EXPECT_EQ(*config->headerFilterRegex, ".*");
  EXPECT_EQ(*config->excludeHeaderFilterRegex, "");
  EXPECT_TRUE(*config->systemHeaders);
  EXPECT_EQ(*config->deployment, "replicas");
  for (const char* bad : {"Checks: x\nSystemHeaders: sometimes\n", "Checks: x\nDeployment: fork\n",
                          "Checks: x\nExcludeHeaderFilterRegex: '['\n"}) {
    auto error = forksafe::parseConfig(bad, "/p/.forksafe.yaml");
    ASSERT_FALSE(static_cast<bool>(error)) << bad;
    std::string message = llvm::toString(error.takeError());
    EXPECT_NE(message.find("/p/.forksafe.yaml:2"), std::string::npos) << message;
  }
}

TEST(CheckConfig, SinglePatternAndEmptyFile) {
  auto one = forksafe::parseConfig("HandlerPatterns: '^routes::'\n", "x.yaml");
  ASSERT_TRUE(static_cast<bool>(one));
  EXPECT_EQ(one->handlerPatterns.size(), 1u);
  auto empty = forksafe::parseConfig("", "x.yaml");
  ASSERT_TRUE(static_cast<bool>(empty));
  EXPECT_FALSE(empty->checks.has_value());
}

TEST(CheckConfig, ErrorsNameFileAndLine) {
  auto bad = forksafe::parseConfig("Checks: ok\nHandlerPatterns: '('\n", "/p/.forksafe.yaml");
  ASSERT_FALSE(static_cast<bool>(bad));
  std::string message = llvm::toString(bad.takeError());
  EXPECT_NE(message.find("/p/.forksafe.yaml:2"), std::string::npos) << message;
  // YAML reports an unclosed quote at the end of the file; the error names the quote.
  auto quote = forksafe::parseConfig("Checks: 'forksafe-*\nWarningsAsErrors: ''\n", "/p/q.yaml");
  ASSERT_FALSE(static_cast<bool>(quote));
  EXPECT_NE(
      llvm::toString(quote.takeError()).find("/p/q.yaml:1:9: this quoted string is never closed"),
      std::string::npos);
  auto notMap = forksafe::parseConfig("- a\n- b\n", "c.yaml");
  ASSERT_FALSE(static_cast<bool>(notMap));
  EXPECT_NE(llvm::toString(notMap.takeError()).find("expected a mapping"), std::string::npos);
  auto broken = forksafe::parseConfig("Checks: [oops\n", "c.yaml");
  ASSERT_FALSE(static_cast<bool>(broken));
  llvm::consumeError(broken.takeError());
}

TEST(CheckConfig, FrameworksUseTheBuiltInSchema) {
  auto config = forksafe::parseConfig(
      "Frameworks:\n"
      "  - Name: tiny\n"
      "    Headers: ['(^|/)tiny\\.h$']\n"
      "    Handlers:\n"
      "      - { Function: 'tiny::Router::on', MethodArg: 0, Route: 1, Handler: -1 }\n"
      "    Macros: [{ Macro: TINY, Route: 0, Method: GET, Defines: true }]\n"
      "    Bases: [{ Class: 'tiny::Handler', Methods: [handle, fallback] }]\n"
      "    Serve: 'tiny::serve'\n"
      "    ServeBlocking: ['tiny::run']\n"
      "    MultiProcessCalls: ['tiny::prefork']\n",
      "x.yaml");
  ASSERT_TRUE(static_cast<bool>(config)) << llvm::toString(config.takeError());
  ASSERT_EQ(config->frameworks.frameworks.size(), 1u);
  const forksafe::Framework& fw = config->frameworks.frameworks[0];
  EXPECT_EQ(fw.name, "tiny");
  ASSERT_EQ(fw.handlers.size(), 1u);
  EXPECT_EQ(fw.handlers[0].handler, -1);
  EXPECT_EQ(fw.handlers[0].route, 1);
  EXPECT_EQ(fw.handlers[0].methodArg, 0);
  ASSERT_EQ(fw.macros.size(), 1u);
  EXPECT_TRUE(fw.macros[0].defines);
  EXPECT_EQ(fw.macros[0].method, "GET");
  ASSERT_EQ(fw.bases.size(), 1u);
  EXPECT_EQ(fw.bases[0].methods.size(), 2u);
  EXPECT_EQ(fw.serve, std::vector<std::string>{"tiny::serve"});
  EXPECT_EQ(fw.serveBlocking, std::vector<std::string>{"tiny::run"});
  EXPECT_EQ(forksafe::multiProcessCalls(config->frameworks),
            std::vector<std::string>{"tiny::prefork"});
}

TEST(CheckConfig, FrameworkErrorsNameFileLineAndColumn) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"Frameworks:\n  - Name: a\n    Handler: []\n",
       "/p/.forksafe.yaml:3:5: unknown key 'Handler'"},
      {"Frameworks:\n  - Name: a\n    Handlers:\n      - { Function: f, Handler: x }\n",
       "/p/.forksafe.yaml:4:33: expected an argument index"},
      {"Frameworks:\n  - Name: a\n    Handlers:\n      - { Function: f }\n",
       "/p/.forksafe.yaml:4:11: a Handlers entry needs a Handler"},
      {"Frameworks:\n  - Headers: ['x']\n", "/p/.forksafe.yaml:2:5: a framework needs a Name"},
      {"Frameworks:\n  - Name: a\n    Headers: ['(']\n", "/p/.forksafe.yaml:3:15: invalid Headers"},
      {"Frameworks: cpp-httplib\n", "/p/.forksafe.yaml:1:13: expected a sequence of frameworks"},
  };
  for (const Case& c : cases) {
    auto bad = forksafe::parseConfig(c.text, "/p/.forksafe.yaml");
    ASSERT_FALSE(static_cast<bool>(bad)) << c.text;
    std::string message = llvm::toString(bad.takeError());
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
  }
}

TEST(CheckConfig, BuiltInFrameworkTableCoversTheSupportedFrameworks) {
  const forksafe::FrameworkTable& table = forksafe::builtinFrameworks();
  std::set<std::string> names;
  for (const forksafe::Framework& fw : table.frameworks) {
    names.insert(fw.name);
    EXPECT_FALSE(fw.headers.empty()) << fw.name;
  }
  for (const char* name : {"cpp-httplib", "Crow", "Drogon", "Pistache", "Boost.Beast", "POCO",
                           "cpprestsdk", "civetweb", "libmicrohttpd", "oat++", "forksafe"})
    EXPECT_TRUE(names.count(name)) << name;
  EXPECT_EQ(forksafe::alwaysMultiProcessFrameworks(table), std::vector<std::string>{"forksafe"});
  EXPECT_FALSE(forksafe::frameworkHeaderPatterns(table).empty());
}

TEST(CheckConfig, FoundUpwardsNearestWins) {
  llvm::SmallString<128> root;
  llvm::sys::fs::createUniqueDirectory("forksafe-config", root);
  std::string top = std::string(root);
  llvm::sys::fs::create_directories(top + "/a/b/c");
  std::ofstream(top + "/.forksafe.yaml") << "Checks: top\n";
  std::ofstream(top + "/a/b/.forksafe.yaml") << "Checks: nearer\n";
  forksafe::ConfigFinder finder;
  auto deep = finder.forSource(top + "/a/b/c/x.cpp");
  ASSERT_TRUE(static_cast<bool>(deep));
  ASSERT_NE(*deep, nullptr);
  EXPECT_EQ(*(*deep)->checks, "nearer");
  auto shallow = finder.forSource(top + "/a/y.cpp");
  ASSERT_TRUE(static_cast<bool>(shallow));
  EXPECT_EQ(*(*shallow)->checks, "top");
  llvm::sys::fs::remove_directories(top);
}

}  // namespace
