// A real redis-server for tests, on a unix socket in a temporary directory (no TCP port, no
// persistence), bounded by an alarm and killed in the destructor.
#ifndef FORKSAFE_TESTS_SERVE_REDIS_SERVER_HPP
#define FORKSAFE_TESTS_SERVE_REDIS_SERVER_HPP

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "temp_dir.hpp"

namespace fstest {

#ifndef FORKSAFE_REDIS_SERVER
#define FORKSAFE_REDIS_SERVER "redis-server"
#endif

/// A redis-server on DIR/redis.sock; start() again after stop() restarts it on the same socket.
class RedisServer {
 public:
  RedisServer() : socket_(dir_.file("redis.sock")) {}
  ~RedisServer() { stop(); }
  bool start() {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::alarm(120);  // never outlives a hung test
      ::execlp(FORKSAFE_REDIS_SERVER, FORKSAFE_REDIS_SERVER, "--port", "0", "--unixsocket",
               socket_.c_str(), "--save", "", "--appendonly", "no", "--dir", dir_.path().c_str(),
               "--logfile", dir_.file("redis.log").c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 500; ++i) {
      struct stat st{};
      if (::stat(socket_.c_str(), &st) == 0) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    ::unlink(socket_.c_str());
  }
  std::string url() const { return "unix:" + socket_; }

 private:
  TempDir dir_;  // tests/common
  std::string socket_;
  pid_t pid_ = -1;
};

}  // namespace fstest

#endif  // FORKSAFE_TESTS_SERVE_REDIS_SERVER_HPP
