// Integration-test harness implementation.
#include "harness.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace fstest {

std::string serve_binary() { return FORKSAFE_SERVE_BIN; }
std::string test_app() { return FORKSAFE_TEST_APP; }
std::string counter_app() { return FORKSAFE_COUNTER_APP; }

int listen_local(int* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || ::listen(fd, 2048) < 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) < 0) {
    ::close(fd);
    return -1;
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

FdLimitRaise::FdLimitRaise(rlim_t want) {
  if (::getrlimit(RLIMIT_NOFILE, &saved_) < 0) return;
  if (saved_.rlim_cur >= want) {
    ok_ = true;
    return;
  }
  if (saved_.rlim_max != RLIM_INFINITY && saved_.rlim_max < want) return;
  rlimit raised{want, saved_.rlim_max};
  ok_ = ::setrlimit(RLIMIT_NOFILE, &raised) == 0;
}

FdLimitRaise::~FdLimitRaise() {
  if (ok_) ::setrlimit(RLIMIT_NOFILE, &saved_);
}

Server::~Server() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGTERM);
    if (!wait_exit(5000ms)) {
      kill_group();
      wait_exit(5000ms);
    }
  }
  if (pid_ > 0) kill_group();  // any straggling worker in the group
  // Under scripts/sanitize.sh a report in a worker ends only that worker, which the master
  // replaces, so a test could pass over it: every report ends in a "SUMMARY: <Name>Sanitizer" line.
  static const std::regex report(R"(SUMMARY: \w+Sanitizer)");
  if (!log_path_.empty()) {
    std::string text = log();
    if (std::regex_search(text, report))
      ADD_FAILURE() << "sanitizer report in the server's log:\n" << text;
  }
}

void Server::kill_group() { ::kill(-pid_, SIGKILL); }

namespace {

/// Whether `args` select the threaded worker (-k threads, -kthreads, --worker-class[=]threads).
bool selects_threads(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-kthreads" || a == "--worker-class=threads") return true;
    if ((a == "-k" || a == "--worker-class") && i + 1 < args.size() && args[i + 1] == "threads")
      return true;
  }
  return false;
}

}  // namespace

void Server::start(const TempDir& dir, std::vector<std::string> args,
                   std::vector<std::pair<std::string, std::string>> env, int listen_fd) {
  log_path_ = dir.file("server.log");
  // forksafe_server_test (server_test.cmake) sets FORKSAFE_TEST_THREADS_LABEL for every test ctest
  // runs: "0" means the test's name does not carry the `threads` label, so TSan would skip it.
  const char* labelled = std::getenv("FORKSAFE_TEST_THREADS_LABEL");
  if (labelled && std::string(labelled) == "0" && selects_threads(args))
    ADD_FAILURE()
        << "this test starts a -k threads server but its name does not match the "
           "`threads` rule of tests/serve/server_test.cmake (say Threads/Threaded or "
           "EveryWorkerType in the name), so the TSan run (ctest -L threads) would skip it";
  args.insert(args.begin(), serve_binary());
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setpgid(0, 0);
    rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    if (fd_limit_) ::setrlimit(RLIMIT_NOFILE, &*fd_limit_);
    int fd = output_fd_ >= 0 ? output_fd_
                             : ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    if (listen_fd >= 0) {
      if (listen_fd == 3) {
        ::fcntl(3, F_SETFD, 0);
      } else {
        ::dup2(listen_fd, 3);
      }
    }
    for (auto& [k, v] : env)
      ::setenv(k.c_str(), v == "$PID" ? std::to_string(::getpid()).c_str() : v.c_str(), 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::setpgid(pid_, pid_);
  reaped_ = false;
}

bool Server::start_and_wait(const TempDir& dir, std::vector<std::string> args, int workers,
                            std::vector<std::pair<std::string, std::string>> env) {
  start(dir, std::move(args), std::move(env));
  if (!wait_listening()) {
    ADD_FAILURE() << "server did not start listening; log:\n" << log();
    return false;
  }
  if (!wait_log("Booted worker", workers)) {
    ADD_FAILURE() << "workers did not boot; log:\n" << log();
    return false;
  }
  return true;
}

bool Server::start_activated(const TempDir& dir, std::vector<std::string> args,
                             std::vector<std::pair<std::string, std::string>> env) {
  int port = 0;
  int fd = listen_local(&port);
  if (fd < 0) {
    ADD_FAILURE() << "cannot bind a listening socket for socket activation";
    return false;
  }
  env.emplace_back("LISTEN_FDS", "1");
  env.emplace_back("LISTEN_PID", "$PID");
  start(dir, std::move(args), std::move(env), fd);
  ::close(fd);
  port_ = port;
  if (!eventually([&] { return http_get(url("/hello"), 1000).status == 200; }, scaled(15000ms))) {
    ADD_FAILURE() << "socket-activated server did not answer /hello; log:\n" << log();
    return false;
  }
  return true;
}

std::string Server::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string Server::log() const { return read_file(log_path_); }

int Server::log_count(const std::string& needle) const {
  return count_lines_with(log_path_, needle);
}

bool Server::wait_log(const std::string& needle, int count, Millis timeout) const {
  return eventually([&] { return log_count(needle) >= count; }, timeout);
}

bool Server::wait_listening(Millis timeout) {
  static const std::regex re(R"(Listening at: http://127\.0\.0\.1:(\d+))");
  return eventually(
             [&] {
               if (!reaped_) {
                 int status = 0;
                 if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                   reaped_ = true;
                   exit_status_ = status;
                 }
               }
               if (reaped_) return true;  // exited early: the caller sees port_ == 0
               std::smatch m;
               std::string text = log();
               if (!std::regex_search(text, m, re)) return false;
               port_ = std::stoi(m[1]);
               return true;
             },
             timeout) &&
         port_ != 0;
}

bool Server::wait_workers(std::size_t n, Millis timeout) const {
  return eventually([&] { return workers().size() == n; }, timeout);
}

void Server::signal(int sig) const { ::kill(pid_, sig); }

std::optional<int> Server::wait_exit(Millis timeout) {
  if (reaped_) return exit_status_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      exit_status_ = status;
      return status;
    }
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(20ms);
  }
}

int Server::exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

namespace {
std::size_t collect(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}
}  // namespace

Client::Client() : curl_(curl_easy_init()) {}
Client::~Client() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResult Client::perform(const HttpRequest& req) {
  CURL* c = static_cast<CURL*>(curl_);
  HttpResult r;
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);  // resets any previous POST/NOBODY state
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
                   req.method == "GET" || req.method == "HEAD" ? nullptr : req.method.c_str());
  if (req.method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(req.body.size()));
  }
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req.timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH,
                   req.unix_socket.empty() ? nullptr : req.unix_socket.c_str());
  curl_slist* list = nullptr;
  for (const auto& h : req.headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(list);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, nullptr);
  if (rc != CURLE_OK) {
    r.error = curl_easy_strerror(rc);
    return r;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &r.new_connections);
  return r;
}

HttpResult Client::get(const std::string& url, long timeout_ms) {
  HttpRequest req;
  req.url = url;
  req.timeout_ms = timeout_ms;
  return perform(req);
}

HttpResult http_get(const std::string& url, long timeout_ms) {
  Client c;
  return c.get(url, timeout_ms);
}

RawConn::RawConn(int port, const std::string& host) {
  bool v6 = host.find(':') != std::string::npos;
  fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  timeval tv{5, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int rc;
  if (v6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET6, host.c_str(), &a.sin6_addr);
    rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
    rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  if (rc < 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawConn::~RawConn() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConn::send(const std::string& data) {
  std::size_t pos = 0;
  while (pos < data.size()) {
    ssize_t n = ::send(fd_, data.data() + pos, data.size() - pos, MSG_NOSIGNAL);
    if (n <= 0) return false;
    pos += static_cast<std::size_t>(n);
  }
  return true;
}

std::string RawConn::read_until(const std::function<bool(const std::string&)>& done,
                                Millis timeout) {
  std::string buf;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done(buf)) {
    auto left =
        std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) break;
    buf.append(tmp, static_cast<std::size_t>(n));
  }
  return buf;
}

std::string RawConn::read_responses(int n, Millis timeout) {
  return read_until(
      [n](const std::string& b) { return static_cast<int>(parse_responses(b).size()) >= n; },
      timeout);
}

bool RawConn::wait_closed(Millis timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left =
        std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char tmp[4096];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return true;
  }
}

void RawConn::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

std::vector<std::pair<int, std::string>> parse_responses(const std::string& raw) {
  std::vector<std::pair<int, std::string>> out;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t end = raw.find("\r\n\r\n", pos);
    if (end == std::string::npos) break;
    std::string head = raw.substr(pos, end - pos);
    int status = std::atoi(head.substr(9, 3).c_str());
    std::size_t length = 0;
    static const std::regex cl(R"((?:^|\r\n)[Cc]ontent-[Ll]ength: *(\d+))");
    std::smatch m;
    if (std::regex_search(head, m, cl)) length = std::stoul(m[1]);
    if (status == 100) {  // interim response: no body
      out.emplace_back(status, "");
      pos = end + 4;
      continue;
    }
    if (raw.size() < end + 4 + length) break;
    out.emplace_back(status, raw.substr(end + 4, length));
    pos = end + 4 + length;
  }
  return out;
}

CliRun run_cli(const TempDir& dir, std::vector<std::string> args,
               std::vector<std::pair<std::string, std::string>> env) {
  Server s;
  s.start(dir, std::move(args), std::move(env));
  CliRun r;
  auto status = s.wait_exit(10000ms);
  if (status) r.code = Server::exit_code(*status);
  r.output = s.log();
  return r;
}

}  // namespace fstest
