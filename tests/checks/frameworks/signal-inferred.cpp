// Fixture: no framework and no annotation, so entry points are inferred; a function installed
// with signal() or sigaction() is a signal handler, not a request path.
// RUN-ARGS: --checks=-*,forksafe-per-worker-state
#include <csignal>
#include <cstring>

static volatile std::sig_atomic_t quit = 0;
static int reloads = 0;
static long served = 0;  // expect: forksafe-per-worker-state

static void on_quit(int) { quit = 1; }
static void count_reload() { ++reloads; }
static void on_hup(int, siginfo_t*, void*) { count_reload(); }

void handle_request() { ++served; }

int main() {
  std::signal(SIGTERM, on_quit);
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_hup;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGHUP, &sa, nullptr);
  while (!quit) {
  }
}
