// Worker process: post-fork setup in contract order, app loading, hooks, the serving loop of the
// worker type, and the signal and master checks every loop makes.
#include "worker.hpp"

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <random>

#include "clock.hpp"
#include "exit_codes.hpp"
#include "preflight.hpp"

namespace forksafe::serve {

namespace {

std::uint64_t pick_max_requests(const Settings& s) {
  if (s.max_requests <= 0) return 0;
  std::uint64_t jitter = 0;
  if (s.max_requests_jitter > 0) {
    // Seeded after fork from the OS, so workers do not all recycle at the same request count.
    std::random_device rd;
    std::uniform_int_distribution<long> dist(0, s.max_requests_jitter);
    jitter = static_cast<std::uint64_t>(dist(rd));
  }
  return static_cast<std::uint64_t>(s.max_requests) + jitter;
}

}  // namespace

void set_process_name(const std::string& name, const char* role) {
  if (name.empty()) return;
  constexpr std::size_t kCommBytes = 15;  // TASK_COMM_LEN - 1
  const std::string suffix = std::string("-") + role;
  std::string comm = name.substr(0, kCommBytes - std::min(kCommBytes, suffix.size())) + suffix;
  ::prctl(PR_SET_NAME, comm.c_str(), 0, 0, 0);
}

void handle_worker_signals(WorkerEnv& env, WorkerControl& control) {
  for (int sig : env.signals->drain()) {
    switch (sig) {
      case SIGTERM:
      case SIGHUP:
        control.begin_drain(monotonic_ms(), env.settings->graceful_timeout);
        break;
      case SIGINT:
      case SIGQUIT:
        control.quit = true;
        break;
      case SIGUSR1: {
        std::string error;
        env.access->flush(*env.log);  // what is buffered belongs to the file being rotated away
        if (!env.log->reopen(&error) || !env.access->reopen(&error)) env.log->error("{}", error);
        break;
      }
      default:
        break;
    }
  }
}

void check_master(WorkerEnv& env, WorkerControl& control) {
  if (::getppid() != env.master_pid) {
    if (!control.draining) env.log->warning("Master {} is gone; worker exiting", env.master_pid);
    control.begin_drain(monotonic_ms(), env.settings->graceful_timeout);
  }
}

void worker_main(WorkerEnv env) {
  // 1. Never outlive the master, even if it is SIGKILLed (checked again in every loop via getppid).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != env.master_pid) ::_exit(kExitOk);
  set_process_name(env.settings->proc_name, "worker");
  // 2. Signals: drop the master's queue and handlers, route ours, then unblock (the master blocked
  //    everything around fork so no signal could land in its pipe from this process).
  env.master_signals->reset_to_default();
  if (env.metrics_fd >= 0) ::close(env.metrics_fd);
  SignalQueue signals;
  std::string error;
  for (int ignored : {SIGPIPE, SIGTTIN, SIGTTOU, SIGUSR2, SIGWINCH}) ::signal(ignored, SIG_IGN);
  if (!signals.install({SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1}, &error)) {
    env.log->error("{}", error);
    ::_exit(kExitWorkerBoot);
  }
  env.signals = &signals;
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  Slot& slot = *env.slot;
  slot.pid.store(::getpid());
  slot.heartbeat_ms.store(monotonic_ms());
  // 3. Identity, then the app (unless preloaded), then worker-init hooks.
  if (!switch_identity(*env.settings, &error)) {
    env.log->error("{}", error);
    ::_exit(kExitWorkerBoot);
  }
  if (!env.app->loaded() && !env.app->load(env.settings->app_path, &error)) {
    env.log->error("{}", error);
    ::_exit(kExitAppLoad);
  }
  if (!env.app->run_worker_init(&error)) {
    env.log->error("{}", error);
    ::_exit(kExitWorkerBoot);
  }
  verify::Probe probe;
  if (env.verify && env.verify->enabled()) {
    if (!env.verify->attach(env.settings->app_path, &probe, &error)) {
      env.log->error("{}", error);
      ::_exit(kExitWorkerBoot);
    }
    env.probe = &probe;
  }
  WorkerControl control;
  control.max_requests = pick_max_requests(*env.settings);
  slot.heartbeat_ms.store(monotonic_ms());
  slot.state.store(static_cast<std::uint32_t>(SlotState::kReady));
  env.log->info("Booted worker with pid: {}", ::getpid());
  // 4. Serve until told to stop.
  const std::string& kind = env.settings->worker_class;
  if (kind == "sync") {
    run_sync_worker(env, control);
  } else {
    run_event_worker(env, control, kind == "threads" ? env.settings->threads : 0);
  }
  slot.state.store(static_cast<std::uint32_t>(SlotState::kStopping));
  if (!control.quit) {
    std::string hook_error;
    env.app->run_worker_exit(&hook_error);
    if (!hook_error.empty()) env.log->error("{}", hook_error);
  }
  env.access->flush(*env.log);
  if (env.probe && !env.probe->flush(&error)) env.log->error("{}", error);
  env.log->info("Worker exiting (pid: {})", ::getpid());
  // _exit: the master's atexit handlers and static destructors belong to the master.
  ::_exit(kExitOk);
}

}  // namespace forksafe::serve
