// The test trees' one process launcher, bounded waits and /proc queries.
//
// run_process spawns a program in its own process group, feeds it stdin, captures stdout and
// stderr, and on timeout SIGKILLs the whole group and reaps the child: no test leaves a process
// behind.
#ifndef FORKSAFE_TESTS_COMMON_PROCESS_HPP
#define FORKSAFE_TESTS_COMMON_PROCESS_HPP

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace fstest {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

/// FORKSAFE_TEST_TIME_SCALE (default 1): slow builds (sanitizers, valgrind) set it to e.g. 3 and
/// every timing bound a test asserts, and every default wait, stretches by that factor.
double time_scale();
/// `bound` stretched by time_scale(). Assertions about how fast something happens use this.
Millis scaled(Millis bound);

/// Polls `pred` every 20 ms until true or `timeout`; returns its last value.
bool eventually(const std::function<bool()>& pred, Millis timeout = scaled(10000ms));

struct ProcessOptions {
  std::string cwd;               ///< empty: this process's working directory
  std::vector<std::string> env;  ///< "NAME=value" entries added to this process's environment
  std::string stdin_text;        ///< written to the child's stdin, which is then closed
  int timeout_seconds = 120;     ///< then the child's process group is SIGKILLed
};

/// Options that only set the working directory.
inline ProcessOptions in_dir(std::string cwd) {
  ProcessOptions options;
  options.cwd = std::move(cwd);
  return options;
}

struct ProcessResult {
  int status = -1;  ///< exit status, or -1 when killed, timed out or not started
  int signal = 0;   ///< the signal that ended the child, if one did (not our own timeout kill)
  bool timed_out = false;
  std::string out;
  std::string err;  ///< the child's stderr; "cannot spawn ..." when it did not start
};

/// Runs argv[0] (a path; no PATH search) with `argv` to completion or the timeout.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// Direct children of `pid`, read from /proc/*/stat.
std::vector<pid_t> children_of(pid_t pid);
/// Live (not zombie) processes whose process group is `pgid`.
std::vector<pid_t> processes_in_group(pid_t pgid);
/// True when `pid` no longer exists or is a zombie.
bool process_gone(pid_t pid);
/// User plus system CPU time of `pid` in clock ticks (utime + stime of /proc/PID/stat); -1 if gone.
long cpu_ticks(pid_t pid);
/// The soft RLIMIT_NOFILE of a running process, from /proc/PID/limits; -1 if unknown.
long open_files_limit(pid_t pid);

}  // namespace fstest

#endif  // FORKSAFE_TESTS_COMMON_PROCESS_HPP
