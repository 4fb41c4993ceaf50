// FactsIO: every field survives a round trip; damaged or foreign-version data is rejected.
#include <gtest/gtest.h>

#include "facts/FactsIO.h"

namespace {

forksafe::TUFacts sample() {
  using namespace forksafe;
  TUFacts f;
  f.mainFile = "/src/a.cpp";
  f.hasHandlerRoots = true;
  f.handlerPatterns = true;
  f.functions.push_back({"c:@F@h#",
                         "h()",
                         {"/src/a.cpp", 3, 6},
                         RootKind::Handler,
                         false,
                         "void(int)",
                         "GET /users/:id",
                         "cpp-httplib"});
  f.functions.push_back(
      {"c:@F@sig#", "on_sig()", {"/src/a.cpp", 9, 6}, RootKind::Signal, false, "void(int)"});
  f.frameworks = {"cpp-httplib"};
  f.indirectCalls.push_back({"c:@F@h#", "void(int)", {"/src/a.cpp", 4, 9}, true});
  f.addressTaken.push_back("c:@F@h#");
  f.functions.push_back({"init:c:@g",
                         "the static initializer of 'g'",
                         {"/src/a.cpp", 1, 5},
                         RootKind::None,
                         true,
                         ""});
  f.calls.push_back({"c:@F@h#", "c:@F@put#", EdgeKind::Virtual, {"/src/a.cpp", 4, 3}, true});
  f.overrides.push_back({"c:@S@B@F@put#", "c:@S@A@F@put#"});
  VariableFact v;
  v.id = "c:@g";
  v.name = "ns::g";
  v.mangled = "_ZN2ns1gE";
  v.loc = {"/src/a.cpp", 1, 5};
  v.enclosingFunction = "c:@F@h#";
  v.isConst = v.isThreadLocal = v.isAtomic = v.isSync = v.isRng = v.containsRng = true;
  v.isPerWorker = v.isStaticMember = v.isPointer = v.isDefinition = true;
  f.variables.push_back(v);
  f.accesses.push_back({"c:@F@h#",
                        {BaseKind::Parameter, "", kThisParam},
                        AccessKind::Write,
                        {"/src/a.cpp", 5, 1},
                        true,
                        true,
                        "incremented"});
  f.bindings.push_back({"c:@F@h#",
                        {BaseKind::ReturnOf, "c:@F@get#", 0},
                        "c:@F@bump#",
                        "bump()",
                        2,
                        {"/src/a.cpp", 6, 2},
                        false,
                        true});
  f.returns.push_back({"c:@F@get#", {BaseKind::Variable, "c:@g", 0}});
  f.events.push_back({EventKind::DescriptorStore,
                      "c:@F@h#",
                      {"/src/a.cpp", 7, 3},
                      "socket",
                      true,
                      {BaseKind::This, "", 0},
                      {"c:@F@open#", "c:@F@dial#"}});
  f.events.push_back({EventKind::RngSeed,
                      "c:@F@h#",
                      {"/src/a.cpp", 8, 3},
                      "construction",
                      false,
                      {},
                      {},
                      "clock"});
  f.events.push_back({EventKind::Fork, "c:@F@h#", {"/src/a.cpp", 9, 3}, "fork", false, {}, {}, ""});
  f.functions[0].library = true;
  f.variables[0].library = true;
  f.systemHeaders = {"/usr/include/c++/14/vector"};
  f.preforkHint = "a forksafe app";
  return f;
}

TEST(FactsIO, RoundTripKeepsEveryField) {
  forksafe::TUFacts original = sample();
  llvm::json::Value once = forksafe::factsToJson(original);
  auto back = forksafe::factsFromJson(once);
  ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(forksafe::factsToJson(*back), once);
  EXPECT_EQ(back->bindings[0].param, 2u);
  EXPECT_EQ(back->accesses[0].base.param, forksafe::kThisParam);
  EXPECT_EQ(back->events[0].callees.size(), 2u);
  EXPECT_TRUE(back->variables[0].isDefinition);
  EXPECT_EQ(back->functions[0].signature, "void(int)");
  EXPECT_EQ(back->indirectCalls.at(0).signature, "void(int)");
  EXPECT_EQ(back->addressTaken.at(0), "c:@F@h#");
  EXPECT_TRUE(back->functions[0].library);
  EXPECT_TRUE(back->variables[0].library);
  EXPECT_EQ(back->events.at(1).seed, "clock");
  EXPECT_EQ(back->events.at(2).kind, forksafe::EventKind::Fork);
  EXPECT_EQ(back->systemHeaders.at(0), "/usr/include/c++/14/vector");
  EXPECT_EQ(back->preforkHint, "a forksafe app");
  EXPECT_EQ(back->functions[0].display, "GET /users/:id");
  EXPECT_EQ(back->functions[0].framework, "cpp-httplib");
  EXPECT_EQ(back->functions[1].root, forksafe::RootKind::Signal);
  EXPECT_EQ(back->frameworks, std::vector<std::string>{"cpp-httplib"});
}

TEST(FactsIO, RejectsOtherVersionsAndDamagedRecords) {
  llvm::json::Value doc = forksafe::factsToJson(sample());
  (*doc.getAsObject())["version"] = forksafe::kFactsVersion + 1;
  auto wrongVersion = forksafe::factsFromJson(doc);
  EXPECT_FALSE(static_cast<bool>(wrongVersion));
  llvm::consumeError(wrongVersion.takeError());

  llvm::json::Value damaged = forksafe::factsToJson(sample());
  (*damaged.getAsObject()->getArray("calls"))[0] = llvm::json::Array{"only-one-field"};
  auto bad = forksafe::factsFromJson(damaged);
  EXPECT_FALSE(static_cast<bool>(bad));
  llvm::consumeError(bad.takeError());

  auto notObject = forksafe::factsFromJson(llvm::json::Value(42));
  EXPECT_FALSE(static_cast<bool>(notObject));
  llvm::consumeError(notObject.takeError());
}

}  // namespace
