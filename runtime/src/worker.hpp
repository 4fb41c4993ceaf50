// Worker process: what runs after fork (the fork contract's worker half) and the shared serving
// state.
#ifndef FORKSAFE_SERVE_WORKER_HPP
#define FORKSAFE_SERVE_WORKER_HPP

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "app_loader.hpp"
#include "http1.hpp"
#include "listeners.hpp"
#include "log.hpp"
#include "scoreboard.hpp"
#include "settings.hpp"
#include "signals.hpp"
#include "verify/verification.hpp"

namespace forksafe::serve {

/// Everything a worker process uses; built by the master just before fork, owned by the master's
/// memory image (the worker's copy-on-write view of it).
struct WorkerEnv {
  const Settings* settings = nullptr;
  std::vector<Listener>* listeners = nullptr;
  Slot* slot = nullptr;
  LoadedApp* app = nullptr;  // loaded already with --preload, else loaded after fork
  ErrorLog* log = nullptr;
  AccessLog* access = nullptr;
  SignalQueue* master_signals = nullptr;  // reset in the child
  SignalQueue* signals = nullptr;         // the worker's own queue, installed after fork
  int metrics_fd = -1;                    // closed in the child
  pid_t master_pid = 0;
  int slot_index = 0;
  const verify::Verification* verify = nullptr;  // --verify: attaches `probe` after worker init
  verify::Probe* probe = nullptr;                // diffs the app's data after every request
};

/// Graceful/fast stop state shared by the worker loops.
struct WorkerControl {
  bool draining = false;  // stop accepting, finish in-flight requests, then exit
  bool quit = false;      // exit now (INT/QUIT)
  std::int64_t drain_deadline_ms = 0;
  std::uint64_t handled = 0;
  std::uint64_t max_requests = 0;  // 0: no recycling; jitter already applied

  void begin_drain(std::int64_t now_ms, double graceful_timeout_s) {
    if (draining) return;
    draining = true;
    drain_deadline_ms = now_ms + static_cast<std::int64_t>(graceful_timeout_s * 1000);
  }
};

/// What a worker does when accept() fails for lack of resources (EMFILE, ENFILE, ENOBUFS, ENOMEM).
/// The listener stays readable, so retrying at once would spin a core and flood the log. Like
/// nginx, the worker stops accepting for kAcceptPauseMs and tries again; the connections wait in
/// the listen queue meanwhile. The error is logged once when an episode starts and once, with its
/// length, when an accept succeeds again.
class AcceptThrottle {
 public:
  static constexpr std::int64_t kAcceptPauseMs = 100;

  /// After accept() failed with `err`: true (and pauses) when it is a resource shortage.
  bool on_error(int err, std::int64_t now_ms, ErrorLog& log);
  /// After accept() succeeded: ends an episode, if one is running.
  void on_success(std::int64_t now_ms, ErrorLog& log) {
    if (episode_start_ms_) end_episode(now_ms, log);
  }
  bool paused(std::int64_t now_ms) const { return now_ms < resume_ms_; }
  /// Milliseconds until accepting may resume (0 when not paused).
  std::int64_t pause_left_ms(std::int64_t now_ms) const {
    return paused(now_ms) ? resume_ms_ - now_ms : 0;
  }

 private:
  void end_episode(std::int64_t now_ms, ErrorLog& log);

  std::int64_t resume_ms_ = 0;
  std::int64_t episode_start_ms_ = 0;  // 0: accepting normally
  std::uint64_t failures_ = 0;
};

/// Turns a handled request into wire bytes and bookkeeping: error log for handler exceptions,
/// access log line, scoreboard metrics, max-requests accounting. Used by every worker type, always
/// on the worker's main thread.
class Responder {
 public:
  Responder(WorkerEnv& env, WorkerControl& control) : env_(env), control_(control) {}

  /// Appends the response for `req` to `out`; returns the keep-alive decision actually used.
  bool finish(const Request& req, const Response& resp, const DispatchInfo& info, bool keep_alive,
              std::int64_t start_us, std::string* out);
  /// Appends a protocol-error response (400/408/413/431/417) that always closes the connection.
  void finish_error(int status, const std::string& reason, std::string_view peer, std::string* out);

 private:
  WorkerEnv& env_;
  WorkerControl& control_;
  DateCache date_;
};

/// Handles queued worker signals (TERM/HUP graceful, INT/QUIT fast, USR1 reopen logs); called by
/// the worker loops when the signal pipe is readable.
void handle_worker_signals(WorkerEnv& env, WorkerControl& control);
/// Starts a graceful stop when the master is gone; called by the loops about every 250 ms.
void check_master(WorkerEnv& env, WorkerControl& control);

/// Microseconds of CLOCK_MONOTONIC.
std::int64_t monotonic_us();

/// --name: this process's name in ps, top and /proc/PID/comm becomes "NAME-master" or
/// "NAME-worker" (NAME shortened so the role fits Linux's 15 bytes). Nothing when `name` is empty.
void set_process_name(const std::string& name, const char* role);

/// The worker types; each returns when the worker should exit.
void run_event_worker(WorkerEnv& env, WorkerControl& control, int threads);
void run_sync_worker(WorkerEnv& env, WorkerControl& control);

/// The child side of fork: never returns.
[[noreturn]] void worker_main(WorkerEnv env);

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_WORKER_HPP
