// Worker process entry: post-fork setup in contract order, app loading, hooks, then the serving
// loop.
#include "worker.hpp"

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <random>

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

std::int64_t monotonic_us() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

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

bool AcceptThrottle::on_error(int err, std::int64_t now_ms, ErrorLog& log) {
  if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM) return false;
  resume_ms_ = now_ms + kAcceptPauseMs;
  ++failures_;
  if (episode_start_ms_ == 0) {
    episode_start_ms_ = now_ms;
    log.error("cannot accept connection: {}; pausing accept for {} ms at a time until it succeeds",
              errno_text(err), kAcceptPauseMs);
  }
  return true;
}

void AcceptThrottle::end_episode(std::int64_t now_ms, ErrorLog& log) {
  log.warning("Accepting connections again after {} ms ({} failed attempts)",
              now_ms - episode_start_ms_, failures_);
  episode_start_ms_ = 0;
  failures_ = 0;
}

bool Responder::finish(const Request& req, const Response& resp, const DispatchInfo& info,
                       bool keep_alive, std::int64_t start_us, std::string* out) {
  if (env_.probe) env_.probe->after_request(req.method, req.path, info.route);
  if (!info.error.empty())
    env_.log->error("Error handling request {} {} (route {}): {}", req.method, req.target,
                    info.route.empty() ? "-" : info.route, info.error);
  ++control_.handled;
  if (control_.max_requests && control_.handled >= control_.max_requests && !control_.draining) {
    env_.log->info("Autorestarting worker after current request ({} requests served)",
                   control_.handled);
    control_.begin_drain(monotonic_ms(), env_.settings->graceful_timeout);
  }
  if (control_.draining || control_.quit) keep_alive = false;
  ResponseFraming framing{req.method == "HEAD", keep_alive, req.http_minor};
  serialize_response(resp, framing, date_.get(), out);
  std::int64_t elapsed = monotonic_us() - start_us;
  env_.slot->record(resp.status, static_cast<std::uint64_t>(elapsed));
  if (env_.access->enabled()) {
    AccessRecord rec;
    std::string_view peer = req.peer;
    std::size_t colon = peer.rfind(':');
    rec.peer_host = peer.substr(0, peer[0] == '[' ? peer.find(']') + 1 : colon);
    rec.method = req.method;
    rec.target = req.target;
    rec.path = req.path;
    rec.query = req.query;
    rec.http_major = req.http_major;
    rec.http_minor = req.http_minor;
    rec.status = resp.status;
    rec.body_bytes = resp.body.size();
    rec.duration = std::chrono::microseconds(elapsed);
    rec.route = info.route;
    rec.request_headers = &req.headers;
    rec.response_headers = &resp.headers;
    env_.access->record(rec, *env_.log);
  }
  return keep_alive;
}

void Responder::finish_error(int status, const std::string& reason, std::string_view peer,
                             std::string* out) {
  env_.log->debug("Rejected request from {}: {} ({})", peer, status, reason);
  env_.slot->record(status, 0);
  serialize_response(error_response(status), ResponseFraming{false, false, 1}, date_.get(), out);
}

}  // namespace forksafe::serve

namespace forksafe::serve {

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
