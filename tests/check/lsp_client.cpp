// posix_spawn with three pipes; poll() bounds every wait.
#include "lsp_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

extern char** environ;

namespace forksafe::test {
namespace {

double now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Appends what one read of `fd` gives to `text`; at end of input or on an error, closes `fd`,
// sets it to -1 and returns false.
bool readInto(int& fd, std::string& text) {
  char chunk[65536];
  ssize_t got = ::read(fd, chunk, sizeof chunk);
  if (got > 0) {
    text.append(chunk, static_cast<size_t>(got));
    return true;
  }
  close(fd);
  fd = -1;
  return false;
}

}  // namespace

LspClient::LspClient(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  int inPipe[2], outPipe[2], errPipe[2];
  if (pipe2(inPipe, O_CLOEXEC) != 0 || pipe2(outPipe, O_CLOEXEC) != 0 ||
      pipe2(errPipe, O_CLOEXEC) != 0)
    return;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  for (char** e = environ; *e; ++e) envp.push_back(*e);
  envp.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(inPipe[0]);
  close(outPipe[1]);
  close(errPipe[1]);
  in_ = inPipe[1];
  out_ = outPipe[0];
  err_ = errPipe[0];
  if (rc == 0) pid_ = pid;
  signal(SIGPIPE, SIG_IGN);  // a server that died must fail the test, not kill it
}

LspClient::~LspClient() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  for (int fd : {in_, out_, err_})
    if (fd >= 0) close(fd);
}

void LspClient::sendRaw(const std::string& bytes) {
  size_t done = 0;
  while (in_ >= 0 && done < bytes.size()) {
    ssize_t n = ::write(in_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

std::string LspClient::frame(const llvm::json::Value& message) {
  std::string body;
  llvm::raw_string_ostream os(body);
  os << message;
  os.flush();
  return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

void LspClient::send(const llvm::json::Value& message) { sendRaw(frame(message)); }

int LspClient::request(const std::string& method, llvm::json::Value params) {
  int id = nextId_++;
  send(llvm::json::Object{
      {"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
  return id;
}

void LspClient::notify(const std::string& method, llvm::json::Value params) {
  send(llvm::json::Object{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
}

bool LspClient::pump(double until) {
  for (;;) {
    // Complete messages already buffered first.
    size_t headerEnd = buffer_.find("\r\n\r\n");
    if (headerEnd != std::string::npos) {
      size_t at = buffer_.find("Content-Length: ");
      size_t length = at < headerEnd ? std::stoul(buffer_.substr(at + 16)) : 0;
      if (buffer_.size() >= headerEnd + 4 + length) {
        auto message = llvm::json::parse(buffer_.substr(headerEnd + 4, length));
        buffer_.erase(0, headerEnd + 4 + length);
        if (message)
          received_.push_back(std::move(*message));
        else
          llvm::consumeError(message.takeError());
        return true;
      }
    }
    double left = until - now();
    if (left <= 0 || out_ < 0) return out_ >= 0;
    pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
    int n = poll(fds, err_ >= 0 ? 2 : 1, static_cast<int>(left * 1000) + 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    if (err_ >= 0 && fds[1].revents) readInto(err_, errText_);
    if (fds[0].revents && !readInto(out_, buffer_)) return false;
  }
}

std::optional<llvm::json::Value> LspClient::waitFor(
    const std::function<bool(const llvm::json::Object&)>& match, double seconds) {
  double until = now() + seconds;
  size_t index = 0;
  for (;;) {
    for (; index < received_.size(); ++index)
      if (const llvm::json::Object* o = received_[index].getAsObject())
        if (match(*o)) return received_[index];
    if (now() >= until) return std::nullopt;
    size_t before = received_.size();
    if (!pump(until) && received_.size() == before) return std::nullopt;
  }
}

std::optional<llvm::json::Value> LspClient::response(int id, double seconds) {
  return waitFor(
      [id](const llvm::json::Object& o) { return !o.get("method") && o.getInteger("id") == id; },
      seconds);
}

int LspClient::wait(double seconds) {
  if (pid_ <= 0) return -1;
  double until = now() + seconds;
  for (;;) {
    int status = 0;
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (now() >= until) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
      return -1;
    }
    pump(std::min(until, now() + 0.05));
  }
}

int LspClient::closeAndWait(double seconds) {
  if (in_ >= 0) {
    close(in_);
    in_ = -1;
  }
  return wait(seconds);
}

std::string LspClient::stderrText() {
  if (err_ >= 0) {
    pollfd fd{err_, POLLIN, 0};
    char chunk[65536];
    while (poll(&fd, 1, 0) > 0) {
      ssize_t got = ::read(err_, chunk, sizeof chunk);
      if (got <= 0) break;
      errText_.append(chunk, static_cast<size_t>(got));
    }
  }
  return errText_;
}

std::string fileUri(const std::string& path) { return "file://" + path; }

std::optional<llvm::json::Value> initialize(LspClient& client, const std::string& rootDir,
                                            bool progress) {
  int id = client.request(
      "initialize",
      llvm::json::Object{
          {"processId", nullptr},
          {"rootUri", fileUri(rootDir)},
          {"capabilities",
           llvm::json::Object{{"window", llvm::json::Object{{"workDoneProgress", progress}}}}}});
  auto reply = client.response(id);
  client.notify("initialized", llvm::json::Object{});
  return reply;
}

llvm::json::Object openParams(const std::string& path, const std::string& text, int version) {
  return llvm::json::Object{
      {"textDocument",
       llvm::json::Object{
           {"uri", fileUri(path)}, {"languageId", "cpp"}, {"version", version}, {"text", text}}}};
}

llvm::json::Object changeParams(const std::string& path, const std::string& text, int version) {
  return llvm::json::Object{
      {"textDocument", llvm::json::Object{{"uri", fileUri(path)}, {"version", version}}},
      {"contentChanges", llvm::json::Array{llvm::json::Object{{"text", text}}}}};
}

}  // namespace forksafe::test
