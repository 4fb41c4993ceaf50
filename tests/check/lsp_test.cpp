// forksafe-check --lsp with a scripted client: the protocol's life cycle, malformed input, edits
// (debounce, unsaved buffers, a header edit re-publishing another file), cancellation, progress
// and configuration changes. Every wait has a deadline; the server is killed if it hangs.
#include <gtest/gtest.h>
#include <llvm/Support/FileSystem.h>

#include <set>
#include <string>
#include <vector>

#include "lsp_client.h"
#include "test_util.h"

namespace {

using forksafe::test::changeParams;
using forksafe::test::fileUri;
using forksafe::test::LspClient;
using forksafe::test::openParams;
using forksafe::test::TempDir;
using forksafe::test::writeCompileCommands;
namespace json = llvm::json;

// state.cpp defines g_hits, app.cpp's handler writes it: a whole-program finding.
struct Project {
  TempDir dir;
  std::string header, state, app;
  Project() {
    header = dir.file("include/state.hpp", "#pragma once\nextern int g_hits;\n");
    state = dir.file("src/state.cpp", "#include \"state.hpp\"\nint g_hits = 0;\n");
    app = dir.file("src/app.cpp",
                   "#include \"state.hpp\"\n#include <forksafe/annotations.hpp>\n"
                   "FORKSAFE_HANDLER void handle() { ++g_hits; }\n");
    writeCompileCommands(dir, {state, app});
  }
  std::vector<std::string> server(std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv = {FORKSAFE_CHECK_BINARY, "--lsp"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }
  std::vector<std::string> env() const { return {"FORKSAFE_CACHE_DIR=" + dir.path() + "/cache"}; }
};

std::string str(const json::Value& v) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << v;
  return os.str();
}

int errorCode(const std::optional<json::Value>& message) {
  if (!message) return 0;
  const json::Object* error = message->getAsObject()->getObject("error");
  return error ? static_cast<int>(error->getInteger("code").value_or(0)) : 0;
}

// The diagnostics of a publishDiagnostics for `path` (with `version`, when given).
std::optional<json::Value> published(LspClient& client, const std::string& path,
                                     std::optional<int64_t> version = std::nullopt,
                                     double seconds = 60) {
  return client.waitFor(
      [&](const json::Object& o) {
        if (o.getString("method") != "textDocument/publishDiagnostics") return false;
        const json::Object* p = o.getObject("params");
        if (p->getString("uri") != fileUri(path)) return false;
        return !version || p->getInteger("version") == version;
      },
      seconds);
}

const json::Array& diagnosticsOf(const json::Value& message) {
  return *message.getAsObject()->getObject("params")->getArray("diagnostics");
}

constexpr const char* kPerWorker = "forksafe-per-worker-state";

// The 0-based lines of the diagnostics of `rule` in a publishDiagnostics.
std::vector<int64_t> lines(const json::Value& message, llvm::StringRef rule = kPerWorker) {
  std::vector<int64_t> out;
  for (const json::Value& d : diagnosticsOf(message))
    if (d.getAsObject()->getString("code") == rule)
      out.push_back(*d.getAsObject()->getObject("range")->getObject("start")->getInteger("line"));
  return out;
}

const json::Object* diagnosticOf(const json::Value& message, llvm::StringRef rule) {
  for (const json::Value& d : diagnosticsOf(message))
    if (d.getAsObject()->getString("code") == rule) return d.getAsObject();
  return nullptr;
}

void shutdownAndExit(LspClient& client, int expected = 0) {
  int id = client.request("shutdown", nullptr);
  auto reply = client.response(id);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->getAsObject()->get("result")->kind(), json::Value::Null);
  client.notify("exit", nullptr);
  EXPECT_EQ(client.wait(), expected) << client.stderrText();
}

TEST(CheckLsp, InitializeShutdownExit) {
  Project p;
  LspClient client(p.server(), p.env());
  auto init = forksafe::test::initialize(client, p.dir.path());
  ASSERT_TRUE(init) << client.stderrText();
  const json::Object* caps = init->getAsObject()->getObject("result")->getObject("capabilities");
  ASSERT_TRUE(caps);
  EXPECT_EQ(caps->getObject("textDocumentSync")->getInteger("change"), 2);
  EXPECT_TRUE(caps->getObject("codeActionProvider"));
  EXPECT_EQ(caps->getString("positionEncoding"), "utf-16");
  shutdownAndExit(client, 0);
}

TEST(CheckLsp, BadCommandLinesAreUsageErrors) {
  Project p;
  auto sources = forksafe::test::runProcess({FORKSAFE_CHECK_BINARY, "--lsp", p.app});
  EXPECT_EQ(sources.status, 2);
  EXPECT_NE(sources.err.find("--lsp takes no source files"), std::string::npos) << sources.err;
  auto missing = forksafe::test::runProcess(
      {FORKSAFE_CHECK_BINARY, "--lsp", "--compile-commands-dir=" + p.dir.path() + "/nowhere"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("nowhere/compile_commands.json' does not exist"), std::string::npos)
      << missing.err;
  auto withoutLsp = forksafe::test::runProcess(
      {FORKSAFE_CHECK_BINARY, "--compile-commands-dir=" + p.dir.path() + "/build", p.app});
  EXPECT_EQ(withoutLsp.status, 2);
  EXPECT_NE(withoutLsp.err.find("--compile-commands-dir is for --lsp"), std::string::npos)
      << withoutLsp.err;
}

TEST(CheckLsp, ExitWithoutShutdownOrEndOfInputIsStatusOne) {
  Project p;
  {
    LspClient client(p.server(), p.env());
    ASSERT_TRUE(forksafe::test::initialize(client, p.dir.path()));
    client.notify("exit", nullptr);
    EXPECT_EQ(client.wait(), 1);
  }
  LspClient client(p.server(), p.env());
  ASSERT_TRUE(forksafe::test::initialize(client, p.dir.path()));
  EXPECT_EQ(client.closeAndWait(), 1);
}

TEST(CheckLsp, MalformedAndOutOfOrderMessagesGetErrorsNotCrashes) {
  Project p;
  LspClient client(p.server(), p.env());
  int early = client.request("textDocument/codeAction", json::Object{});
  EXPECT_EQ(errorCode(client.response(early)), -32002);
  auto nullIdError = [&](int code) {
    return client.waitFor([code](const json::Object& o) {
      const json::Object* e = o.getObject("error");
      return e && o.get("id")->kind() == json::Value::Null && e->getInteger("code") == code;
    });
  };
  client.sendRaw("Content-Length: 6\r\n\r\n{oops}");
  EXPECT_TRUE(nullIdError(-32700));
  client.sendRaw("Content-Length: 5\r\n\r\n[1,2]");
  EXPECT_TRUE(nullIdError(-32600));
  client.sendRaw("X-Nothing: 1\r\n\r\n");  // no Content-Length: a log line, then go on
  client.sendRaw("Content-Length: 12\r\n\r\n{\"id\":{},\"a\"");  // truncated JSON
  ASSERT_TRUE(forksafe::test::initialize(client, p.dir.path()));
  int unknown = client.request("workspace/frobnicate", json::Object{});
  EXPECT_EQ(errorCode(client.response(unknown)), -32601);
  int bad = client.request("textDocument/codeAction", json::Object{{"range", 3}});
  EXPECT_EQ(errorCode(client.response(bad)), -32602);
  client.notify("textDocument/didChange", changeParams(p.dir.path() + "/nope.cpp", "", 2));
  client.notify("textDocument/didOpen", json::Object{{"textDocument", 1}});
  std::string err;
  // The server is still there and answers in order.
  shutdownAndExit(client, 0);
  err = client.stderrText();
  EXPECT_NE(err.find("cannot parse message"), std::string::npos) << err;
  EXPECT_NE(err.find("Content-Length"), std::string::npos) << err;
  EXPECT_NE(err.find("not open"), std::string::npos) << err;
}

TEST(CheckLsp, PublishesWholeProgramFindingsWithRuleLinksAndNotes) {
  Project p;
  p.dir.file("src/.forksafe.yaml", "WarningsAsErrors: 'forksafe-unsynchronized-state'\n");
  LspClient client(p.server(), p.env());
  ASSERT_TRUE(forksafe::test::initialize(client, p.dir.path()));
  // Only state.cpp is open: the handler that writes its global is in app.cpp.
  client.notify("textDocument/didOpen",
                openParams(p.state, "#include \"state.hpp\"\nint g_hits = 0;\n"));
  auto message = published(client, p.state);
  ASSERT_TRUE(message) << client.stderrText();
  ASSERT_EQ(lines(*message), std::vector<int64_t>{1});
  const json::Object& d = *diagnosticOf(*message, kPerWorker);
  EXPECT_EQ(d.getInteger("severity"), 1);  // an error by default
  // A warning by default, an error by the directory's WarningsAsErrors.
  const json::Object* race = diagnosticOf(*message, "forksafe-unsynchronized-state");
  ASSERT_TRUE(race);
  EXPECT_EQ(race->getInteger("severity"), 1);
  EXPECT_EQ(d.getString("source"), "forksafe");
  auto href = d.getObject("codeDescription")->getString("href");
  ASSERT_TRUE(href);
  EXPECT_TRUE(href->ends_with("docs/checks/forksafe-per-worker-state.md")) << href->str();
  bool seenApp = false;
  for (const json::Value& r : *d.getArray("relatedInformation"))
    seenApp |= r.getAsObject()->getObject("location")->getString("uri") == fileUri(p.app);
  EXPECT_TRUE(seenApp) << str(json::Object(d));
  shutdownAndExit(client);
}

// relay.cpp neither declares nor writes the state: it only passes the call on from the handler
// to the function that writes it. Open alone, it gets what `forksafe-check -p build relay.cpp`
// reports for it, on the call.
TEST(CheckLsp, AnOpenFileGetsWhatCheckingItAloneReports) {
  TempDir dir;
  dir.file("include/api.hpp", "#pragma once\nvoid record();\nvoid relay();\n");
  std::string store = dir.file(
      "src/store.cpp", "#include \"api.hpp\"\nint g_count = 0;\nvoid record() { ++g_count; }\n");
  std::string relay =
      dir.file("src/relay.cpp", "#include \"api.hpp\"\n\nvoid relay() {\n  record();\n}\n");
  std::string app = dir.file("src/app.cpp",
                             "#include \"api.hpp\"\n#include <forksafe/annotations.hpp>\n"
                             "FORKSAFE_HANDLER void handle() { relay(); }\n");
  writeCompileCommands(dir, {store, relay, app});
  const std::vector<std::string> env = {"FORKSAFE_CACHE_DIR=" + dir.path() + "/cache"};

  auto cli = forksafe::test::runProcess({FORKSAFE_CHECK_BINARY, "-p", dir.path() + "/build", relay},
                                        dir.path(), 120, env);
  ASSERT_EQ(cli.status, 1) << cli.out << cli.err;
  std::multiset<std::string> cliRules;
  for (llvm::StringRef rest(cli.out); !rest.empty();) {
    auto [line, tail] = rest.split('\n');
    rest = tail;
    if (!line.contains(": error: ") && !line.contains(": warning: ")) continue;
    size_t open = line.rfind("[forksafe-");
    if (open != llvm::StringRef::npos) cliRules.insert(line.slice(open + 1, line.rfind(']')).str());
  }
  ASSERT_EQ(cliRules.count(kPerWorker), 1u) << cli.out;

  LspClient client({FORKSAFE_CHECK_BINARY, "--lsp"}, env);
  ASSERT_TRUE(forksafe::test::initialize(client, dir.path()));
  client.notify("textDocument/didOpen", openParams(relay, forksafe::test::read_file(relay)));
  auto message = published(client, relay);
  ASSERT_TRUE(message) << client.stderrText();
  std::multiset<std::string> lspRules;
  for (const json::Value& d : diagnosticsOf(*message))
    lspRules.insert(d.getAsObject()->getString("code")->str());
  EXPECT_EQ(lspRules, cliRules) << cli.out << str(*message);
  EXPECT_EQ(lines(*message), std::vector<int64_t>{3}) << "on the call to record()";
  shutdownAndExit(client);
}

TEST(CheckLsp, CompileCommandsDirNamesTheDatabase) {
  Project p;
  // Not where clangd would look (the file's ancestors and their build/): only the flag finds it.
  llvm::sys::fs::create_directories(p.dir.path() + "/out/debug");
  ASSERT_FALSE(llvm::sys::fs::rename(p.dir.path() + "/build/compile_commands.json",
                                     p.dir.path() + "/out/debug/compile_commands.json"));
  LspClient client(p.server({"--compile-commands-dir=" + p.dir.path() + "/out/debug"}), p.env());
  ASSERT_TRUE(forksafe::test::initialize(client, p.dir.path()));
  client.notify("textDocument/didOpen",
                openParams(p.state, "#include \"state.hpp\"\nint g_hits = 0;\n"));
  auto message = published(client, p.state);
  ASSERT_TRUE(message) << client.stderrText();
  EXPECT_EQ(lines(*message), std::vector<int64_t>{1});  // the handler in app.cpp is seen
  shutdownAndExit(client);
}

TEST(CheckLsp, DidChangeStormIsDebouncedAndTheLastTextWins) {
  Project p;
  LspClient client(p.server(), p.env());
  ASSERT_TRUE(forksafe::test::initialize(client, p.dir.path()));
  std::string base = "#include \"state.hpp\"\n";
  client.notify("textDocument/didOpen", openParams(p.state, base + "int g_hits = 0;\n"));
  ASSERT_TRUE(published(client, p.state, 1)) << client.stderrText();
  // 40 edits in one write: the declaration moves down one line each time.
  constexpr int kEdits = 40;
  std::string storm;
  for (int v = 2; v <= kEdits + 1; ++v)
    storm += LspClient::frame(json::Object{
        {"jsonrpc", "2.0"},
        {"method", "textDocument/didChange"},
        {"params", changeParams(p.state, base + std::string(v, '\n') + "int g_hits = 0;\n", v)}});
  client.sendRaw(storm);
  auto last = published(client, p.state, kEdits + 1);
  ASSERT_TRUE(last) << client.stderrText();
  EXPECT_EQ(lines(*last), std::vector<int64_t>{1 + kEdits + 1});
  size_t publishes = 0;
  for (const json::Value& m : client.received())
    publishes += m.getAsObject()->getString("method") == "textDocument/publishDiagnostics";
  EXPECT_LT(publishes, 1u + kEdits / 2) << "every change was analysed";
  shutdownAndExit(client);
}

TEST(CheckLsp, CancelledRequestIsAnsweredRequestCancelled) {
  Project p;
  LspClient client(p.server(), p.env());
  ASSERT_TRUE(forksafe::test::initialize(client, p.dir.path()));
  // The open starts an analysis; the request and its cancellation arrive while it runs.
  std::string batch = LspClient::frame(json::Object{
      {"jsonrpc", "2.0"},
      {"method", "textDocument/didOpen"},
      {"params", openParams(p.app,
                            "#include \"state.hpp\"\n#include <forksafe/annotations.hpp>\n"
                            "FORKSAFE_HANDLER void handle() { ++g_hits; }\n")}});
  json::Object range{{"start", json::Object{{"line", 0}, {"character", 0}}},
                     {"end", json::Object{{"line", 0}, {"character", 0}}}};
  batch += LspClient::frame(json::Object{
      {"jsonrpc", "2.0"},
      {"id", 77},
      {"method", "textDocument/codeAction"},
      {"params", json::Object{{"textDocument", json::Object{{"uri", fileUri(p.app)}}},
                              {"range", std::move(range)},
                              {"context", json::Object{{"diagnostics", json::Array{}}}}}}});
  batch += LspClient::frame(json::Object{
      {"jsonrpc", "2.0"}, {"method", "$/cancelRequest"}, {"params", json::Object{{"id", 77}}}});
  client.sendRaw(batch);
  EXPECT_EQ(errorCode(client.response(77, 60)), -32800) << client.stderrText();
  shutdownAndExit(client);
}

TEST(CheckLsp, UnsavedHeaderEditRepublishesAnotherOpenFile) {
  Project p;
  LspClient client(p.server(), p.env());
  ASSERT_TRUE(forksafe::test::initialize(client, p.dir.path()));
  std::string appText =
      "#include \"state.hpp\"\n#include <forksafe/annotations.hpp>\n"
      "FORKSAFE_HANDLER void handle() { ++g_hits; }\n";
  client.notify("textDocument/didOpen", openParams(p.app, appText));
  auto before = published(client, p.app, 1);
  ASSERT_TRUE(before) << client.stderrText();
  EXPECT_EQ(lines(*before), std::vector<int64_t>{2});  // the write site in the handler
  client.notify("textDocument/didOpen", openParams(p.header, "#pragma once\nextern int g_hits;\n"));
  ASSERT_TRUE(published(client, p.header, 1));
  // Unsaved: the variable is declared per-worker in the header, so the write is intended (the
  // race between threads remains: forksafe-unsynchronized-state stays).
  client.notify("textDocument/didChange",
                changeParams(p.header,
                             "#pragma once\n#include <forksafe/annotations.hpp>\n"
                             "FORKSAFE_PER_WORKER extern int g_hits;\n",
                             2));
  auto after = client.waitFor(
      [&](const json::Object& o) {
        const json::Object* params = o.getObject("params");
        return o.getString("method") == "textDocument/publishDiagnostics" &&
               params->getString("uri") == fileUri(p.app) && lines(json::Object(o)).empty();
      },
      60);
  ASSERT_TRUE(after) << "app.cpp was not re-published: " << client.stderrText();
  EXPECT_EQ(lines(*after, "forksafe-unsynchronized-state"), std::vector<int64_t>{2});
  shutdownAndExit(client);
}

TEST(CheckLsp, ProgressIsReportedDuringTheFirstAnalysis) {
  Project p;
  LspClient client(p.server(), p.env());
  ASSERT_TRUE(forksafe::test::initialize(client, p.dir.path(), /*progress=*/true));
  client.notify("textDocument/didOpen",
                openParams(p.state, "#include \"state.hpp\"\nint g_hits = 0;\n"));
  ASSERT_TRUE(published(client, p.state)) << client.stderrText();
  auto create = client.waitFor(
      [](const json::Object& o) {
        return o.getString("method") == "window/workDoneProgress/create";
      },
      1);
  ASSERT_TRUE(create);
  std::vector<std::string> kinds;
  for (const json::Value& m : client.received())
    if (m.getAsObject()->getString("method") == "$/progress")
      kinds.push_back(
          m.getAsObject()->getObject("params")->getObject("value")->getString("kind")->str());
  ASSERT_GE(kinds.size(), 3u);
  EXPECT_EQ(kinds.front(), "begin");
  EXPECT_EQ(kinds[1], "report");
  EXPECT_EQ(kinds.back(), "end");
  shutdownAndExit(client);
}

TEST(CheckLsp, ConfigurationChangeIsPickedUp) {
  Project p;
  LspClient client(p.server(), p.env());
  int init = client.request(
      "initialize",
      json::Object{{"processId", nullptr},
                   {"rootUri", fileUri(p.dir.path())},
                   {"capabilities",
                    json::Object{{"workspace",
                                  json::Object{{"didChangeWatchedFiles",
                                                json::Object{{"dynamicRegistration", true}}}}}}}});
  ASSERT_TRUE(client.response(init));
  client.notify("initialized", json::Object{});
  // The server asks to be told about configuration files (and databases, sources) changing.
  auto registration = client.waitFor(
      [](const json::Object& o) { return o.getString("method") == "client/registerCapability"; });
  ASSERT_TRUE(registration);
  EXPECT_NE(str(*registration).find("**/.forksafe.yaml"), std::string::npos);
  client.notify("textDocument/didOpen",
                openParams(p.state, "#include \"state.hpp\"\nint g_hits = 0;\n"));
  auto first = published(client, p.state, 1);
  ASSERT_TRUE(first);
  ASSERT_EQ(lines(*first).size(), 1u);
  std::string config = p.dir.file(".forksafe.yaml", "Checks: '-*,forksafe-prefork-thread'\n");
  client.notify(
      "workspace/didChangeWatchedFiles",
      json::Object{{"changes", json::Array{json::Object{{"uri", fileUri(config)}, {"type", 1}}}}});
  auto after = client.waitFor(
      [&](const json::Object& o) {
        const json::Object* params = o.getObject("params");
        return o.getString("method") == "textDocument/publishDiagnostics" &&
               params->getString("uri") == fileUri(p.state) &&
               params->getArray("diagnostics")->empty();
      },
      60);
  EXPECT_TRUE(after) << client.stderrText();
  shutdownAndExit(client);
}

}  // namespace
