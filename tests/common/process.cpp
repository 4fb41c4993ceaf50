// run_process (posix_spawn + poll over stdin, stdout and stderr) and the /proc readers.
#include "process.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

#include "temp_dir.hpp"

extern char** environ;

namespace fstest {

double time_scale() {
  const char* text = std::getenv("FORKSAFE_TEST_TIME_SCALE");
  if (!text || !*text) return 1.0;
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (*end != '\0' || !(v >= 1.0 && v <= 100.0)) {
    std::fprintf(stderr,
                 "forksafe tests: error: cannot use FORKSAFE_TEST_TIME_SCALE='%s': expected a "
                 "number from 1 to 100\n",
                 text);
    std::exit(2);
  }
  return v;
}

Millis scaled(Millis bound) {
  return Millis(static_cast<Millis::rep>(static_cast<double>(bound.count()) * time_scale()));
}

bool eventually(const std::function<bool()>& pred, Millis timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::sleep_for(20ms);
  }
}

namespace {

/// A pipe whose ends close when it goes out of scope (unless released).
struct Pipe {
  int fd[2] = {-1, -1};
  bool open() { return ::pipe2(fd, O_CLOEXEC) == 0; }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
  ~Pipe() {
    close_end(0);
    close_end(1);
  }
};

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  ProcessResult result;
  if (argv.empty()) {
    result.err = "cannot spawn a process: no program given";
    return result;
  }
  Pipe in, out, err;
  if (!in.open() || !out.open() || !err.open()) {
    result.err = "cannot spawn " + argv[0] + ": " + std::strerror(errno);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attributes, 0);  // its own group: a timeout kills its children too
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : options.env) envp.push_back(const_cast<char*>(e.c_str()));
  for (char** e = environ; *e; ++e) envp.push_back(*e);
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &actions, &attributes, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  in.close_end(0);
  out.close_end(1);
  err.close_end(1);
  if (rc != 0) {
    result.err = "cannot spawn " + argv[0] + ": " + std::strerror(rc);
    return result;
  }
  if (options.stdin_text.empty())
    in.close_end(1);
  else
    ::signal(SIGPIPE, SIG_IGN);  // a child that stops reading must not end the test (EPIPE instead)
  ::fcntl(in.fd[1], F_SETFL, O_NONBLOCK);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds);
  std::size_t written = 0;
  std::string* sinks[2] = {&result.out, &result.err};
  for (;;) {
    pollfd fds[3] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}, {in.fd[1], POLLOUT, 0}};
    if (fds[0].fd < 0 && fds[1].fd < 0) break;
    auto left =
        std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    if (::poll(fds, 3, static_cast<int>(left)) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0)
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      else if (n == 0 || errno != EINTR)
        (i == 0 ? out : err).close_end(0);
    }
    if (fds[2].fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = ::write(in.fd[1], options.stdin_text.data() + written,
                          options.stdin_text.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == options.stdin_text.size())
        in.close_end(1);  // done, or the child stopped reading (EPIPE)
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::kill(-pid, SIGKILL);  // anything the child left running in its group
  if (!result.timed_out && WIFEXITED(status)) result.status = WEXITSTATUS(status);
  if (!result.timed_out && WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

namespace {

/// The fields of /proc/PID/stat after the command name: state is [0], ppid [1], pgrp [2].
std::vector<std::string> stat_fields(const std::string& pid) {
  std::string stat = read_file("/proc/" + pid + "/stat");
  std::size_t close = stat.rfind(')');
  std::vector<std::string> out;
  if (close == std::string::npos) return out;
  std::istringstream rest(stat.substr(close + 2));
  for (std::string f; rest >> f;) out.push_back(f);
  return out;
}

/// Live processes whose stat field `index` equals `value`.
std::vector<pid_t> live_processes_where(std::size_t index, long value) {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::vector<std::string> f = stat_fields(e->d_name);
    if (f.size() <= index || f[0] == "Z") continue;
    if (std::atol(f[index].c_str()) == value) out.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(d);
  return out;
}

}  // namespace

std::vector<pid_t> children_of(pid_t parent) { return live_processes_where(1, parent); }

std::vector<pid_t> processes_in_group(pid_t pgid) { return live_processes_where(2, pgid); }

bool process_gone(pid_t pid) {
  std::vector<std::string> f = stat_fields(std::to_string(pid));
  return f.empty() || f[0] == "Z";
}

long cpu_ticks(pid_t pid) {
  std::vector<std::string> f = stat_fields(std::to_string(pid));
  if (f.size() < 13) return -1;
  return std::atol(f[11].c_str()) + std::atol(f[12].c_str());  // utime, stime (fields 14, 15)
}

long open_files_limit(pid_t pid) {
  std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/limits"));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream fields(line.substr(std::strlen("Max open files")));
    std::string soft;
    fields >> soft;
    return soft == "unlimited" ? -1 : std::atol(soft.c_str());
  }
  return -1;
}

}  // namespace fstest
