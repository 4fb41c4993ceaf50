// The master process: owns listeners, forks and supervises workers, turns signals into actions.
#ifndef FORKSAFE_SERVE_MASTER_HPP
#define FORKSAFE_SERVE_MASTER_HPP

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "app_loader.hpp"
#include "listeners.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "scoreboard.hpp"
#include "settings.hpp"
#include "shared_arena.hpp"
#include "signals.hpp"
#include "verify/verification.hpp"

namespace forksafe::serve {

class Master {
 public:
  /// `argv` is kept to re-read the configuration on HUP and to re-exec on USR2.
  Master(Settings settings, std::vector<std::string> argv);
  /// Runs until stopped; returns the process exit code.
  int run();

 private:
  struct Worker {
    pid_t pid = 0;
    std::size_t slot = 0;
    int generation = 0;
    std::int64_t started_ms = 0;
    std::int64_t term_sent_ms = 0;   // 0: not asked to stop
    std::int64_t abort_sent_ms = 0;  // 0: not timed out
  };

  bool start();
  // The loop, in order: wait → signals → reap → heartbeats → worker count.
  void wait_for_events();
  void handle_signals();
  void kill_silent_workers();
  void manage_workers();
  void reap_workers();

  void on_term();
  void on_quit();
  void on_hup();
  void on_ttin();
  void on_ttou();
  void on_usr1();
  void on_usr2();

  void raise_fd_limit();
  bool spawn_worker();
  void stop_worker(Worker& w, int sig);
  void begin_shutdown(bool graceful, int exit_code);
  void on_worker_exit(const Worker& w, int status);
  void finish_reload_if_ready();
  int count_current(bool ready_only);
  void serve_metrics();
  void write_pidfile();
  void remove_pidfile();

  Settings settings_;
  Settings previous_settings_;  // restored when a reload's new generation cannot boot
  std::vector<std::string> argv_;
  std::string exe_path_;
  ErrorLog log_;
  AccessLog access_;
  SignalQueue signals_;
  std::vector<Listener> listeners_;
  Listener metrics_listener_;
  Scoreboard board_;
  SharedArena shared_;           // forksafe::shared's arena, made before the first fork
  LoadedApp app_;                // loaded only with --preload
  verify::Verification verify_;  // --verify, --static-report, --require-clean
  std::map<pid_t, Worker> workers_;
  MasterCounters counters_;
  int target_workers_ = 1;
  int generation_ = 0;
  int reload_from_generation_ = -1;  // >= 0 while a HUP's new generation is booting
  std::int64_t now_ms_ = 0;
  std::int64_t next_spawn_ms_ = 0;
  std::int64_t spawn_backoff_ms_ = 0;
  bool stopping_ = false;
  std::int64_t stop_deadline_ms_ = 0;
  int exit_code_ = 0;
  pid_t reexec_pid_ = 0;
  std::string pidfile_written_;
};

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_MASTER_HPP
