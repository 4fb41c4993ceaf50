// Integration-test harness (on tests/common's TempDir and process helpers): a supervised
// forksafe-serve process, libcurl and raw clients.
//
// Every wait is bounded; every server is started in its own process group and the whole group is
// SIGKILLed and reaped in the destructor, so a failing test never leaves processes behind.
#ifndef FORKSAFE_TESTS_SERVE_HARNESS_HPP
#define FORKSAFE_TESTS_SERVE_HARNESS_HPP

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "process.hpp"   // tests/common: time_scale, eventually, /proc queries
#include "temp_dir.hpp"  // tests/common: TempDir, read_file

namespace fstest {

std::string serve_binary();
std::string test_app();
std::string counter_app();

/// A listening TCP socket on 127.0.0.1 with a kernel-chosen port (for socket activation); -1 on
/// failure.
int listen_local(int* port);

/// Raises this process's soft RLIMIT_NOFILE to at least `want` for its lifetime, then restores it.
class FdLimitRaise {
 public:
  explicit FdLimitRaise(rlim_t want);
  ~FdLimitRaise();
  FdLimitRaise(const FdLimitRaise&) = delete;
  FdLimitRaise& operator=(const FdLimitRaise&) = delete;
  bool ok() const { return ok_; }
  rlim_t hard() const { return saved_.rlim_max; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

class Server {
 public:
  Server() = default;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  /// Starts forksafe-serve with `args` (the binary is prepended) and extra environment entries.
  /// Output goes to dir/server.log.
  /// An env value "$PID" becomes the server's own pid (for LISTEN_PID); `listen_fd` >= 0 is handed
  /// over as descriptor 3, the way systemd socket activation does it.
  /// Every server runs with RLIMIT_CORE 0: crash tests must not leave core files behind.
  void start(const TempDir& dir, std::vector<std::string> args,
             std::vector<std::pair<std::string, std::string>> env = {}, int listen_fd = -1);
  /// Starts and waits until it listens and `workers` workers are booted; fails the test otherwise.
  bool start_and_wait(const TempDir& dir, std::vector<std::string> args, int workers,
                      std::vector<std::pair<std::string, std::string>> env = {});
  /// Starts on a socket the test binds first (systemd socket activation), so port() is known
  /// without reading the log — for servers whose log goes elsewhere. Waits until /hello answers.
  bool start_activated(const TempDir& dir, std::vector<std::string> args,
                       std::vector<std::pair<std::string, std::string>> env = {});

  /// For the next start(): the server's RLIMIT_NOFILE (soft and hard).
  void set_fd_limit(rlim_t soft, rlim_t hard) { fd_limit_ = rlimit{soft, hard}; }
  /// For the next start(): stdout and stderr go to `fd` instead of dir/server.log.
  void set_output_fd(int fd) { output_fd_ = fd; }

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string url(const std::string& path) const;
  std::string log() const;
  int log_count(const std::string& needle) const;
  bool wait_log(const std::string& needle, int count = 1, Millis timeout = scaled(15000ms)) const;
  bool wait_listening(Millis timeout = scaled(15000ms));
  std::vector<pid_t> workers() const { return children_of(pid_); }
  bool wait_workers(std::size_t n, Millis timeout = scaled(15000ms)) const;
  void signal(int sig) const;
  /// Waits for the master to exit; returns its wait status, or nullopt on timeout.
  std::optional<int> wait_exit(Millis timeout = scaled(15000ms));
  /// Exit code if it exited normally, -1 otherwise (after wait_exit).
  static int exit_code(int status);

 private:
  void kill_group();

  pid_t pid_ = -1;
  int port_ = 0;
  std::optional<rlimit> fd_limit_;
  int output_fd_ = -1;
  std::string log_path_;
  bool reaped_ = false;
  std::optional<int> exit_status_;
};

struct HttpResult {
  long status = 0;  // 0: transport failure
  std::string body;
  std::string headers;  // raw header block(s)
  std::string error;
  long new_connections = 0;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::vector<std::string> headers;
  long timeout_ms = 10000;
  std::string unix_socket;
};

/// A libcurl easy handle; reusing one Client reuses its keep-alive connection.
class Client {
 public:
  Client();
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  HttpResult perform(const HttpRequest& req);
  HttpResult get(const std::string& url, long timeout_ms = 10000);

 private:
  void* curl_;
};

/// One-shot GET with a fresh connection.
HttpResult http_get(const std::string& url, long timeout_ms = 10000);

/// Raw TCP client for what libcurl will not send (pipelining, malformed framing, slow headers).
class RawConn {
 public:
  explicit RawConn(int port, const std::string& host = "127.0.0.1");
  ~RawConn();
  bool ok() const { return fd_ >= 0; }
  bool send(const std::string& data);
  /// Reads until `done(buffer)` or EOF or timeout; returns everything read.
  std::string read_until(const std::function<bool(const std::string&)>& done,
                         Millis timeout = scaled(10000ms));
  /// Reads until `n` complete responses (headers plus Content-Length body) or EOF/timeout.
  std::string read_responses(int n, Millis timeout = scaled(10000ms));
  /// Reads until the server closes; true when it closed (EOF or reset) within `timeout`.
  bool wait_closed(Millis timeout);
  void shutdown_write();

 private:
  int fd_ = -1;
};

/// Splits raw HTTP responses into status codes and bodies, in order.
std::vector<std::pair<int, std::string>> parse_responses(const std::string& raw);

/// What a forksafe-serve run that is expected to exit (a refused start, --check-config, --help)
/// printed, and its exit code (-1: it did not exit in time or died by a signal).
struct CliRun {
  int code = -1;
  std::string output;
};

/// Runs forksafe-serve in `dir` to completion, bounded by 10 s, capturing stdout+stderr.
CliRun run_cli(const TempDir& dir, std::vector<std::string> args,
               std::vector<std::pair<std::string, std::string>> env = {});

}  // namespace fstest

#endif  // FORKSAFE_TESTS_SERVE_HARNESS_HPP
