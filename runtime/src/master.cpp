// Master process: startup, the supervision loop, and one small method per signal.
//
// The loop is deliberately boring: wait (≤ 1 s, less when a backed-off spawn is due) for the
// signal pipe or a metrics scrape, handle each queued signal, reap, abort-then-kill workers whose
// shared-memory heartbeat went stale, bring the worker count back to target (with backoff after
// crashes). Reaping comes before respawning so a worker killed from outside (kill -9, OOM killer)
// is replaced in the same wake-up its SIGCHLD caused, not a second later. Workers that exit with
// kExitWorkerBoot / kExitAppLoad make the master halt with that code instead of respawning.
//
// Reload (HUP) starts a complete new generation of workers while the old one keeps serving, and
// only stops the old generation (gracefully) once every new worker reports ready. If the new
// generation cannot boot, it is dropped and the old one keeps running.
#include "master.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <csignal>
#include <cstdlib>

#include "clock.hpp"
#include "exit_codes.hpp"
#include "preflight.hpp"
#include "worker.hpp"

namespace forksafe::serve {

namespace {

constexpr std::int64_t kMaxBackoffMs = 10000;
constexpr std::int64_t kAbortToKillMs = 2000;
constexpr const char* kInheritedMetricsFdEnv = "FORKSAFE_INHERITED_METRICS_FD";

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exit code {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return fmt::format("signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  return "unknown status";
}

}  // namespace

Master::Master(Settings settings, std::vector<std::string> argv)
    : settings_(std::move(settings)), argv_(std::move(argv)) {}

int Master::run() {
  if (!start()) {
    remove_pidfile();
    return exit_code_ ? exit_code_ : kExitRuntimeError;
  }
  manage_workers();  // first generation right away, not after the first one-second wait
  for (;;) {
    wait_for_events();
    handle_signals();
    reap_workers();
    kill_silent_workers();
    manage_workers();
    verify_.tick(now_ms_, log_);
    if (stopping_ && workers_.empty()) break;
  }
  // --verify-fail-on: a clean stop that served mutating traffic still fails (a CI step).
  if (!verify_.finish(log_) && exit_code_ == kExitOk) exit_code_ = kExitVerifyFailed;
  access_.flush(log_);
  remove_pidfile();
  log_.info("Shutting down: Master");
  return exit_code_;
}

bool Master::start() {
  // Before the first log line: a log on a pipe whose reader is gone must fail with EPIPE, not kill.
  ::signal(SIGPIPE, SIG_IGN);
  Level level = Level::kInfo;
  parse_level(settings_.loglevel, &level);
  log_ = ErrorLog(settings_.error_logfile, level);
  std::string error;
  if (!log_.reopen(&error)) {
    log_ = ErrorLog("", level);
    log_.reopen(&error);
    log_.error("{}", error);
    exit_code_ = kExitUsage;
    return false;
  }
  access_ = AccessLog(settings_.access_logfile, settings_.access_logformat);
  if (!access_.reopen(&error)) {
    log_.error("{}", error);
    exit_code_ = kExitUsage;
    return false;
  }
  // Everything that can be refused is refused here, before a listener is bound or announced;
  // --check-config runs the same function (preflight.hpp).
  if (StartCheck check; !check_start(settings_, log_, verify_, shared_,
                                     settings_.preload ? &app_ : nullptr, &check)) {
    log_.error("{}", check.error);
    exit_code_ = check.exit_code;
    return false;
  }
  log_.info("Starting forksafe-serve {}", "0.1.0");
  log_.info("Shared state (forksafe::shared): {}", shared_.description());
  verify_.set_shared_stats([this] { return shared_.stats(); });
  set_process_name(settings_.proc_name, "master");
  if (settings_.preload) log_.info("Preloaded app {}", settings_.app_path);
  char resolved[PATH_MAX];
  exe_path_ = ::realpath("/proc/self/exe", resolved) ? resolved : argv_.at(0);
  // Block the signals we route before creating the queue's consumers; spawn_worker relies on it.
  if (!signals_.install(
          {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2, SIGCHLD, SIGWINCH},
          &error)) {
    log_.error("{}", error);
    return false;
  }
  raise_fd_limit();
  if (!board_.create(kMaxSlots, &error)) {
    log_.error("{}", error);
    return false;
  }
  // Every socket is bound before any is announced: "Listening at" is the last word of a start
  // that can no longer fail for its own reasons (tests/serve/cli_test.cpp).
  if (!open_listeners(settings_.bind, settings_.backlog, &listeners_, &error)) {
    log_.error("{}", error);
    return false;
  }
  const char* inherited_metrics = std::getenv(kInheritedMetricsFdEnv);
  if (inherited_metrics && !settings_.metrics_bind.empty()) {
    // Re-exec'd by USR2: the old master still holds the metrics port, so take its socket.
    int fd = std::atoi(inherited_metrics);
    if (fd > 2 && ::fcntl(fd, F_SETFD, FD_CLOEXEC) == 0) {
      metrics_listener_.fd = UniqueFd(fd);
      metrics_listener_.name = describe_listener(fd);
    }
  }
  ::unsetenv(kInheritedMetricsFdEnv);
  if (!settings_.metrics_bind.empty() && !metrics_listener_.fd) {
    metrics_listener_ = bind_listener(settings_.metrics_bind, 64, &error);
    if (!metrics_listener_.fd) {
      log_.error("{}", error);
      return false;
    }
  }
  for (const Listener& l : listeners_) log_.info("Listening at: {} ({})", l.name, ::getpid());
  if (metrics_listener_.fd) log_.info("Metrics at: {}/metrics", metrics_listener_.name);
  log_.info("Using worker: {}", settings_.worker_class);
  write_pidfile();
  target_workers_ = settings_.workers;
  now_ms_ = monotonic_ms();
  return true;
}

void Master::raise_fd_limit() {
  // Like nginx's worker_rlimit_nofile and what systemd asks of programs that do not use select():
  // every connection of an event worker is a descriptor, and a soft limit of 1024 would make
  // accept fail with EMFILE long before --worker-connections. Workers inherit the raised limit.
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) < 0) return;
  const rlim_t before = lim.rlim_cur;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &lim) < 0) {
      lim.rlim_cur = before;
      log_.warning("cannot raise the open-file limit from {} to {}: {}", before, lim.rlim_max,
                   errno_text(errno));
    } else {
      log_.info("Raised the open-file limit from {} to {} (the hard limit)", before, lim.rlim_cur);
    }
  }
  const bool connection_limited = settings_.worker_class != "sync";
  constexpr rlim_t kReserved = 64;  // listeners, logs, epoll, pipes and what the app opens
  if (connection_limited && lim.rlim_cur != RLIM_INFINITY &&
      static_cast<rlim_t>(settings_.worker_connections) + kReserved > lim.rlim_cur)
    log_.warning(
        "--worker-connections {} does not fit the open-file limit {}; connections beyond it wait "
        "in the listen queue",
        settings_.worker_connections, lim.rlim_cur);
}

void Master::wait_for_events() {
  pollfd fds[2] = {{signals_.fd(), POLLIN, 0}, {metrics_listener_.fd.get(), POLLIN, 0}};
  int timeout_ms = 1000;
  if (!stopping_ && next_spawn_ms_ > now_ms_ && count_current(false) < target_workers_)
    timeout_ms = static_cast<int>(std::min<std::int64_t>(timeout_ms, next_spawn_ms_ - now_ms_));
  int n = ::poll(fds, metrics_listener_.fd ? 2 : 1, timeout_ms);
  now_ms_ = monotonic_ms();
  if (n > 0 && metrics_listener_.fd && (fds[1].revents & POLLIN)) serve_metrics();
}

void Master::handle_signals() {
  for (int sig : signals_.drain()) {
    if (sig == SIGWINCH) verify_.write_now(log_);  // --verify: the report and table on demand
    switch (sig) {
      case SIGTERM:
        on_term();
        break;
      case SIGINT:
      case SIGQUIT:
        on_quit();
        break;
      case SIGHUP:
        on_hup();
        break;
      case SIGTTIN:
        on_ttin();
        break;
      case SIGTTOU:
        on_ttou();
        break;
      case SIGUSR1:
        on_usr1();
        break;
      case SIGUSR2:
        on_usr2();
        break;
      default:
        break;  // SIGCHLD, SIGWINCH: the wake-up itself is the point; reaping follows
    }
  }
}

void Master::on_term() {
  log_.info("Handling signal: term");
  begin_shutdown(true, exit_code_);
}

void Master::on_quit() {
  log_.info("Handling signal: int/quit");
  begin_shutdown(false, exit_code_);
}

void Master::on_hup() {
  log_.info("Handling signal: hup");
  if (stopping_) return;
  Settings fresh;
  ParseOutcome parsed = parse_settings(argv_, &fresh, nullptr);
  if (!parsed.run) {
    log_.error("cannot reload configuration: {}",
               parsed.error.empty() ? "no settings" : parsed.error);
    return;
  }
  if (fresh.bind != settings_.bind)
    log_.warning("Ignoring changed --bind on reload; restart to rebind");
  fresh.bind = settings_.bind;
  if (fresh.shared_memory != settings_.shared_memory ||
      fresh.shared_store != settings_.shared_store)
    log_.warning(
        "Ignoring changed --shared-memory/--shared-store on reload: the shared state lives as "
        "long as the master; restart to change it");
  fresh.shared_memory = settings_.shared_memory;
  fresh.shared_store = settings_.shared_store;
  fresh.preload = settings_.preload;
  previous_settings_ = settings_;
  settings_ = std::move(fresh);
  Level level = Level::kInfo;
  parse_level(settings_.loglevel, &level);
  log_.set_level(level);
  on_usr1();
  target_workers_ = settings_.workers;
  reload_from_generation_ = generation_;
  ++generation_;
  log_.info("Reloading: starting generation {} ({} workers)", generation_, target_workers_);
}

void Master::on_ttin() {
  ++target_workers_;
  log_.info("Handling signal: ttin; workers now {}", target_workers_);
}

void Master::on_ttou() {
  if (target_workers_ > 1) --target_workers_;
  log_.info("Handling signal: ttou; workers now {}", target_workers_);
}

void Master::on_usr1() {
  std::string error;
  access_.flush(log_);  // what is buffered belongs to the file being rotated away
  if (!log_.reopen(&error) || !access_.reopen(&error)) log_.error("{}", error);
  for (auto& [pid, w] : workers_) ::kill(pid, SIGUSR1);
}

void Master::on_usr2() {
  log_.info("Handling signal: usr2");
  if (reexec_pid_ > 0) {
    log_.warning("USR2 ignored: a new master ({}) is already running", reexec_pid_);
    return;
  }
  if (!pidfile_written_.empty()) {
    std::string old = pidfile_written_ + ".oldbin";
    if (::rename(pidfile_written_.c_str(), old.c_str()) == 0) pidfile_written_ = old;
  }
  std::string fds;
  for (const Listener& l : listeners_) fds += (fds.empty() ? "" : ",") + std::to_string(l.fd.get());
  sigset_t all, old_mask;
  sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, &old_mask);
  pid_t pid = ::fork();
  if (pid == 0) {
    signals_.reset_to_default();
    for (const Listener& l : listeners_) ::fcntl(l.fd.get(), F_SETFD, 0);
    ::setenv(kInheritedFdsEnv, fds.c_str(), 1);
    if (metrics_listener_.fd) {
      ::fcntl(metrics_listener_.fd.get(), F_SETFD, 0);
      ::setenv(kInheritedMetricsFdEnv, std::to_string(metrics_listener_.fd.get()).c_str(), 1);
    }
    std::vector<char*> args;
    for (std::string& a : argv_) args.push_back(a.data());
    args.push_back(nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(exe_path_.c_str(), args.data());
    log_.error("cannot execute '{}': {}", exe_path_, errno_text(errno));
    ::_exit(kExitRuntimeError);
  }
  ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  if (pid < 0) {
    log_.error("cannot fork new master: {}", errno_text(errno));
    return;
  }
  reexec_pid_ = pid;
  log_.info("Started new master {} with inherited listeners {}", pid, fds);
}

void Master::begin_shutdown(bool graceful, int exit_code) {
  exit_code_ = exit_code;
  if (stopping_ && graceful) return;
  stopping_ = true;
  double grace = graceful ? settings_.graceful_timeout : 1.0;
  std::int64_t deadline = now_ms_ + static_cast<std::int64_t>(grace * 1000);
  stop_deadline_ms_ = stop_deadline_ms_ ? std::min(stop_deadline_ms_, deadline) : deadline;
  // Close our listeners only when nobody inherits them: a re-exec'd master may still be using them.
  if (reexec_pid_ == 0)
    for (Listener& l : listeners_) l.fd.reset();
  for (auto& [pid, w] : workers_) stop_worker(w, graceful ? SIGTERM : SIGQUIT);
}

void Master::stop_worker(Worker& w, int sig) {
  if (w.term_sent_ms == 0 || sig != SIGTERM) ::kill(w.pid, sig);
  if (w.term_sent_ms == 0) w.term_sent_ms = now_ms_;
}

void Master::kill_silent_workers() {
  const std::int64_t timeout_ms = static_cast<std::int64_t>(settings_.timeout * 1000);
  const std::int64_t grace_ms = static_cast<std::int64_t>(settings_.graceful_timeout * 1000);
  for (auto& [pid, w] : workers_) {
    if (w.abort_sent_ms && now_ms_ - w.abort_sent_ms > kAbortToKillMs) {
      ::kill(pid, SIGKILL);
      continue;
    }
    if (w.term_sent_ms && now_ms_ - w.term_sent_ms > grace_ms) {
      ::kill(pid, SIGKILL);  // missed the graceful deadline
      continue;
    }
    if (stopping_ && now_ms_ > stop_deadline_ms_) {
      ::kill(pid, SIGKILL);
      continue;
    }
    if (timeout_ms <= 0 || w.abort_sent_ms) continue;
    std::int64_t beat = board_.slot(w.slot).heartbeat_ms.load(std::memory_order_relaxed);
    if (now_ms_ - beat > timeout_ms) {
      log_.critical("WORKER TIMEOUT (pid:{}): no heartbeat for {:.1f} s; aborting", pid,
                    static_cast<double>(now_ms_ - beat) / 1000);
      ++counters_.worker_timeouts;
      ::kill(pid, SIGABRT);
      w.abort_sent_ms = now_ms_;
    }
  }
}

int Master::count_current(bool ready_only) {
  int n = 0;
  for (auto& [pid, w] : workers_) {
    if (w.generation != generation_ || w.term_sent_ms || w.abort_sent_ms) continue;
    auto state = static_cast<SlotState>(board_.slot(w.slot).state.load());
    if (!ready_only || state == SlotState::kReady) ++n;
  }
  return n;
}

void Master::manage_workers() {
  if (stopping_) return;
  while (count_current(false) < target_workers_ && now_ms_ >= next_spawn_ms_) {
    if (!spawn_worker()) break;
  }
  // Retire extras (TTOU, smaller config), oldest first, but never during a reload's boot phase.
  if (reload_from_generation_ < 0) {
    int excess = count_current(false) - target_workers_;
    for (auto& [pid, w] : workers_) {
      if (excess <= 0) break;
      if (w.generation == generation_ && !w.term_sent_ms && !w.abort_sent_ms) {
        log_.info("Retiring worker {} (target {})", pid, target_workers_);
        stop_worker(w, SIGTERM);
        --excess;
      }
    }
  }
  finish_reload_if_ready();
}

void Master::finish_reload_if_ready() {
  if (reload_from_generation_ < 0 || count_current(true) < target_workers_) return;
  int stopped = 0;
  for (auto& [pid, w] : workers_) {
    if (w.generation != generation_ && !w.term_sent_ms) {
      stop_worker(w, SIGTERM);
      ++stopped;
    }
  }
  log_.info("Reload complete: generation {} ready, stopping {} old workers", generation_, stopped);
  reload_from_generation_ = -1;
}

bool Master::spawn_worker() {
  std::size_t slot = 0;
  while (slot < board_.size() && board_.slot(slot).pid.load() != 0) ++slot;
  if (slot == board_.size()) {
    log_.error("cannot spawn worker: all {} scoreboard slots in use", board_.size());
    return false;
  }
  Slot& s = board_.slot(slot);
  s.clear();
  s.state.store(static_cast<std::uint32_t>(SlotState::kBooting));
  s.heartbeat_ms.store(now_ms_);
  s.pid.store(-1);  // reserved until the child writes its pid
  sigset_t all, old_mask;
  sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, &old_mask);
  pid_t master_pid = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    WorkerEnv env;
    env.settings = &settings_;
    env.listeners = &listeners_;
    env.slot = &s;
    env.app = &app_;
    env.log = &log_;
    env.access = &access_;
    env.master_signals = &signals_;
    env.metrics_fd = metrics_listener_.fd.get();
    env.master_pid = master_pid;
    env.slot_index = static_cast<int>(slot);
    env.verify = &verify_;
    worker_main(env);
  }
  ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  if (pid < 0) {
    s.clear();
    log_.error("cannot fork worker: {}", errno_text(errno));
    next_spawn_ms_ = now_ms_ + 1000;
    return false;
  }
  s.pid.store(pid);
  Worker w;
  w.pid = pid;
  w.slot = slot;
  w.generation = generation_;
  w.started_ms = now_ms_;
  workers_[pid] = w;
  log_.debug("Spawned worker {} in slot {} (generation {})", pid, slot, generation_);
  return true;
}

void Master::reap_workers() {
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    if (pid == reexec_pid_) {
      log_.info("New master {} exited with {}", pid, describe_status(status));
      reexec_pid_ = 0;
      const std::string suffix = ".oldbin";
      if (!stopping_ && pidfile_written_.size() > suffix.size() &&
          pidfile_written_.compare(pidfile_written_.size() - suffix.size(), suffix.size(),
                                   suffix) == 0) {
        // The new binary did not take over: this master is the current one again.
        std::string current = pidfile_written_.substr(0, pidfile_written_.size() - suffix.size());
        if (::rename(pidfile_written_.c_str(), current.c_str()) == 0) pidfile_written_ = current;
      }
      continue;
    }
    auto it = workers_.find(pid);
    if (it == workers_.end()) continue;
    Worker w = it->second;
    workers_.erase(it);
    board_.slot(w.slot).clear();
    on_worker_exit(w, status);
  }
  counters_.workers_alive = workers_.size();
}

void Master::on_worker_exit(const Worker& w, int status) {
  const bool asked = w.term_sent_ms != 0 || stopping_;
  const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == kExitOk;
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == kExitWorkerBoot || code == kExitAppLoad) {
    const char* why = code == kExitAppLoad ? "App failed to load" : "Worker failed to boot";
    if (w.generation != generation_) {
      log_.warning("{} (worker {} of abandoned generation {})", why, w.pid, w.generation);
      return;
    }
    if (reload_from_generation_ >= 0) {
      log_.error("Reload failed: {} (worker {}); keeping generation {} and its settings", why,
                 w.pid, reload_from_generation_);
      for (auto& [pid, other] : workers_)
        if (other.generation == generation_) stop_worker(other, SIGTERM);
      generation_ = reload_from_generation_;
      reload_from_generation_ = -1;
      settings_ = previous_settings_;
      target_workers_ = settings_.workers;
      return;
    }
    if (!stopping_) {
      log_.error("{} (worker {} exited with code {}); shutting down", why, w.pid, code);
      begin_shutdown(false, code);
    }
    return;
  }
  if (stopping_) return;
  if (clean && asked) return;
  if (clean) {
    log_.info("Worker {} exited (recycled); replacing it", w.pid);
  } else if (w.abort_sent_ms) {
    log_.error("Worker {} was killed after timing out; replacing it", w.pid);
  } else if (!asked) {
    log_.error("Worker {} died unexpectedly ({}); replacing it", w.pid, describe_status(status));
  }
  if (w.generation != generation_ || (asked && clean)) return;
  ++counters_.worker_restarts;
  // Backoff only for workers that die young without being asked to: a crash loop must not spin.
  if (!clean && now_ms_ - w.started_ms < 1000) {
    spawn_backoff_ms_ = spawn_backoff_ms_ ? std::min(spawn_backoff_ms_ * 2, kMaxBackoffMs) : 100;
    next_spawn_ms_ = now_ms_ + spawn_backoff_ms_;
    log_.warning("Worker crashed during startup; next spawn in {} ms", spawn_backoff_ms_);
  } else {
    spawn_backoff_ms_ = 0;
  }
}

void Master::serve_metrics() {
  int fd = ::accept4(metrics_listener_.fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return;
  UniqueFd owner(fd);
  counters_.workers_alive = workers_.size();
  serve_metrics_connection(fd, render_metrics(board_, counters_) + render_shared_metrics(shared_));
}

void Master::write_pidfile() {
  if (settings_.pidfile.empty()) return;
  std::string tmp = settings_.pidfile + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd || !write_all(fd.get(), fmt::format("{}\n", ::getpid())) ||
      ::rename(tmp.c_str(), settings_.pidfile.c_str()) < 0) {
    log_.error("cannot write pid file '{}': {}", settings_.pidfile, errno_text(errno));
    return;
  }
  pidfile_written_ = settings_.pidfile;
}

void Master::remove_pidfile() {
  if (!pidfile_written_.empty()) ::unlink(pidfile_written_.c_str());
  pidfile_written_.clear();
}

}  // namespace forksafe::serve
