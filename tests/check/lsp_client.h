// A scripted LSP client for tests: runs `forksafe-check --lsp` on pipes, sends messages and
// waits (with deadlines) for what the server sends back.
#pragma once

#include <llvm/Support/JSON.h>
#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace forksafe::test {

class LspClient {
 public:
  // `argv[0]` is the binary; `env` entries ("NAME=value") are added to the environment.
  LspClient(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
  ~LspClient();  // kills the server if it is still running
  LspClient(const LspClient&) = delete;
  LspClient& operator=(const LspClient&) = delete;

  bool running() const { return pid_ > 0; }
  void sendRaw(const std::string& bytes);
  void send(const llvm::json::Value& message);  // framed
  static std::string frame(const llvm::json::Value& message);
  int request(const std::string& method, llvm::json::Value params);  // returns the id
  void notify(const std::string& method, llvm::json::Value params);

  // The first message received so far or within `seconds` that `match` accepts (every message
  // is kept in received()); nullopt at the deadline or when the server closed its output.
  std::optional<llvm::json::Value> waitFor(
      const std::function<bool(const llvm::json::Object&)>& match, double seconds = 20);
  std::optional<llvm::json::Value> response(int id, double seconds = 20);
  const std::vector<llvm::json::Value>& received() const { return received_; }

  // Closes the server's input and waits for it to exit: its status, or -1 after `seconds` (then
  // it is killed).
  int closeAndWait(double seconds = 10);
  int wait(double seconds = 10);
  std::string stderrText();

 private:
  bool pump(double until);  // reads what is available until `until`; false when output closed
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  int nextId_ = 1;
  std::string buffer_, errText_;
  std::vector<llvm::json::Value> received_;
  size_t scanned_ = 0;
};

// initialize + initialized with the usual capabilities; returns the initialize result.
std::optional<llvm::json::Value> initialize(LspClient& client, const std::string& rootDir,
                                            bool progress = false);
llvm::json::Object openParams(const std::string& path, const std::string& text, int version = 1);
llvm::json::Object changeParams(const std::string& path, const std::string& text, int version);
std::string fileUri(const std::string& path);

}  // namespace forksafe::test
