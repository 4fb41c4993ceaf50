// Config: .forksafe.yaml parsing and the upward search from a source file.
#include "Config.h"

#include <gtest/gtest.h>
#include <llvm/Support/FileSystem.h>

#include <fstream>

namespace {

TEST(Config, ParsesAllKeys) {
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

TEST(Config, ThirdPartyAndDeploymentKeys) {
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

TEST(Config, SinglePatternAndEmptyFile) {
  auto one = forksafe::parseConfig("HandlerPatterns: '^routes::'\n", "x.yaml");
  ASSERT_TRUE(static_cast<bool>(one));
  EXPECT_EQ(one->handlerPatterns.size(), 1u);
  auto empty = forksafe::parseConfig("", "x.yaml");
  ASSERT_TRUE(static_cast<bool>(empty));
  EXPECT_FALSE(empty->checks.has_value());
}

TEST(Config, ErrorsNameFileAndLine) {
  auto bad = forksafe::parseConfig("Checks: ok\nHandlerPatterns: '('\n", "/p/.forksafe.yaml");
  ASSERT_FALSE(static_cast<bool>(bad));
  std::string message = llvm::toString(bad.takeError());
  EXPECT_NE(message.find("/p/.forksafe.yaml:2"), std::string::npos) << message;
  auto notMap = forksafe::parseConfig("- a\n- b\n", "c.yaml");
  ASSERT_FALSE(static_cast<bool>(notMap));
  EXPECT_NE(llvm::toString(notMap.takeError()).find("expected a mapping"), std::string::npos);
  auto broken = forksafe::parseConfig("Checks: [oops\n", "c.yaml");
  ASSERT_FALSE(static_cast<bool>(broken));
  llvm::consumeError(broken.takeError());
}

TEST(Config, FoundUpwardsNearestWins) {
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
