// Worker process: what runs after fork (the fork contract's worker half), the state its serving
// loop shares (WorkerEnv, WorkerControl) and the entry points of the worker types.
#ifndef FORKSAFE_SERVE_WORKER_HPP
#define FORKSAFE_SERVE_WORKER_HPP

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "app_loader.hpp"
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

/// Handles queued worker signals (TERM/HUP graceful, INT/QUIT fast, USR1 reopen logs); called by
/// the worker loops when the signal pipe is readable.
void handle_worker_signals(WorkerEnv& env, WorkerControl& control);
/// Starts a graceful stop when the master is gone; called by the loops about every 250 ms.
void check_master(WorkerEnv& env, WorkerControl& control);

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
